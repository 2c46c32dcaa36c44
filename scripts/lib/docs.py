#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# Usage: scripts/lib/docs.py blocks TEST_MMAP
#        scripts/lib/docs.py commands TEST_MMAP
#        scripts/lib/docs.py links
#        scripts/lib/docs.py --help
#
# The docs check of `make lint` (scripts/host-checks/lint.sh): README.md and
# docs/**/*.md hold to today's tools.  TEST_MMAP is a test-mmap binary built
# from this tree (lint builds it in the lint-userspace target's build root;
# it is static, so it runs here).  Alone, with a native build:
#   make -C test OUT=/tmp/tm tools KSFT_INC=<kselftest dir>
#   scripts/lib/docs.py commands /tmp/tm/test-mmap
#
# blocks: each line "<!-- test-mmap ARGS -->" and the fenced block after it,
#   which must be what "test-mmap ARGS" prints (stdout and stderr); every
#   tour step (tour --list), every file of examples/ and every command of
#   the lab bench ("help" of test-mmap -i) is named, as `name`, in
#   docs/test-mmap.md.
# commands: every command line shown, in a fenced block (after a prompt
#   "$ ", "# ", "host:dir# ", or none) or in a code span that starts with
#   the command, that runs test-mmap, make or a script of scripts/ (after
#   "sudo", VAR=value assignments, and "python3"/"bash"/"sh" before a
#   script; a line is cut at ";", "&&", "||", "|" and "&", and each part
#   is checked; a trailing "# comment" is dropped):
#     test-mmap ARGS   "test-mmap --dry-run ARGS" exits 0
#     make ARGS        each target is a rule of the Makefile (-C DIR: of
#                      DIR), and each VAR= (given to make, or before it) is
#                      a word of the Makefiles or of scripts/
#     scripts/X ARGS   the file exists, and each --option before a "--"
#                      is in its text
#   and every line of the lab bench (after a prompt "mmap-test> ", "mt> "
#   or "> "): its command word, after "$v = ", is one that test-mmap -i's
#   "help" lists ("$v = EXPR" keeps a number: not checked), and the
#   options of an "alloc" pass "test-mmap --dry-run alloc" (a value with
#   a $variable or an expression is replaced by a number first).
# links: every link [text](target) outside code: "#anchor" is a heading of
#   the same file, "path" (relative to the file) exists, "path#anchor" is
#   a heading of that file; GitHub's anchors (lower case, punctuation
#   dropped, spaces to "-", "-N" for the Nth repeat).
#
# DOCS_VERBOSE=1 also says on stderr each command line it checked.
# Prints one line per failure, "FILE:LINE: <command>: <why>" (for a
# block, the first line that differs); exits 1 if there was one, 2 on
# bad usage.
import glob
import os
import re
import shlex
import subprocess
import sys

TOP = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                    "..", ".."))
MARK = re.compile(r"^<!-- test-mmap (.*) -->$")
FENCE = re.compile(r"^\s*(```|~~~)")
SPAN = re.compile(r"(`+)(.+?)\1", re.S)
LINK = re.compile(r"\[(?:[^\[\]]|\[[^\]]*\])*\]\(([^()\s]+)\)")
ASSIGN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
LAB_PROMPT = re.compile(r"^(?:mmap-test|mt)?> ?")
SHELL_PROMPT = re.compile(r"^(?:\$|#|[\w.@-]+:[^\s#$]*[#$]) ")
OPERATORS = {";", "&&", "||", "|", "&"}
PLACEHOLDERS = {"ARGS", "ARG...", "...", "\u2026", "[...]"}
REDIRECTS = {">", ">>", "<", "2>", "2>&1", ">&", "<<"}

failures = []
VERBOSE = os.environ.get("DOCS_VERBOSE") == "1"


def note(path, line, cmd):
    """With DOCS_VERBOSE=1: what was checked (to stderr)."""
    if VERBOSE:
        sys.stderr.write("%s:%d: %s: checked\n" %
                         (os.path.relpath(path, TOP), line, cmd))


def fail(path, line, cmd, why):
    failures.append("%s:%d: %s: %s" % (os.path.relpath(path, TOP), line,
                                       cmd, why))


def doc_files():
    files = [os.path.join(TOP, "README.md")]
    files += sorted(glob.glob(os.path.join(TOP, "docs", "**", "*.md"),
                              recursive=True))
    return [f for f in files if os.path.isfile(f)]


class Doc:
    """A markdown file: its fenced blocks and its text outside them."""

    def __init__(self, path):
        self.path = path
        with open(path, encoding="utf-8") as f:
            self.lines = f.read().split("\n")
        self.blocks = []    # (first line number, [(n, line)], marker args)
        self.text = []      # paragraphs: [(n, line)] outside fences
        para, fence, mark = [], None, None
        for n, line in enumerate(self.lines, 1):
            if fence is not None:
                if FENCE.match(line):
                    self.blocks.append((fence[0], fence[1], mark))
                    fence, mark = None, None
                else:
                    fence[1].append((n, line))
                continue
            if FENCE.match(line):
                if para:
                    self.text.append(para)
                    para = []
                prev = [l for l in self.lines[:n - 1] if l.strip()]
                m = MARK.match(prev[-1]) if prev else None
                mark = m.group(1) if m else None
                fence = (n, [])
            elif not line.strip():
                if para:
                    self.text.append(para)
                para = []
            else:
                para.append((n, line))
        if para:
            self.text.append(para)

    def spans(self):
        """The code spans outside fences: (line number, text)."""
        for para in self.text:
            joined = "\n".join(l for _, l in para)
            for m in SPAN.finditer(joined):
                n = para[0][0] + joined.count("\n", 0, m.start())
                yield n, " ".join(m.group(2).split())

    def prose(self):
        """The paragraphs with their code spans blanked: (n, line)."""
        for para in self.text:
            joined = "\n".join(l for _, l in para)
            joined = SPAN.sub(lambda m: re.sub(r"[^\n]", "x", m.group(0)),
                              joined)
            for i, line in enumerate(joined.split("\n")):
                yield para[0][0] + i, line


def slug(heading, seen):
    s = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
    n = seen.get(s, 0)
    seen[s] = n + 1
    return s if n == 0 else "%s-%d" % (s, n)


anchor_cache = {}


def anchors(path):
    if path not in anchor_cache:
        seen, out = {}, set()
        doc = Doc(path)
        for para in doc.text:
            for _, line in para:
                m = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
                if m:
                    out.add(slug(m.group(1), seen))
        anchor_cache[path] = out
    return anchor_cache[path]


def check_links(doc):
    for n, line in doc.prose():
        for m in LINK.finditer(line):
            target = m.group(1)
            if re.match(r"^[a-z]+:", target):
                continue
            path, _, frag = target.partition("#")
            dest = (doc.path if not path else
                    os.path.normpath(os.path.join(os.path.dirname(doc.path),
                                                  path)))
            if not os.path.exists(dest):
                fail(doc.path, n, "link " + target, "no such file")
            elif frag and dest.endswith(".md") and \
                    frag not in anchors(dest):
                fail(doc.path, n, "link " + target,
                     "no heading with the anchor #%s in %s" %
                     (frag, os.path.relpath(dest, TOP)))
            elif frag and not dest.endswith(".md"):
                fail(doc.path, n, "link " + target,
                     "an anchor into a file that is not markdown")


def run(tm, args, stdin=None):
    p = subprocess.run([tm] + args, input=stdin, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, cwd="/", timeout=30,
                       universal_newlines=True)
    return p.returncode, p.stdout


def check_blocks(doc, tm):
    for first, lines, args in doc.blocks:
        if args is None:
            continue
        cmd = "test-mmap " + args
        _, out = run(tm, shlex.split(args))
        want = out.rstrip("\n").split("\n")
        have = [l for _, l in lines]
        for i in range(max(len(want), len(have))):
            w = want[i] if i < len(want) else None
            h = have[i] if i < len(have) else None
            if w != h:
                n = lines[i][0] if i < len(lines) else first + len(lines) + 1
                fail(doc.path, n, cmd,
                     "the block has %s where the program prints %s" %
                     ("%r" % h if h is not None else "no more lines",
                      "%r" % w if w is not None else "no more lines"))
                break


def check_named(tm):
    """Every tour step and every example is named in docs/test-mmap.md."""
    path = os.path.join(TOP, "docs", "test-mmap.md")
    text = open(path, encoding="utf-8").read() if os.path.isfile(path) else ""
    _, out = run(tm, ["tour", "--list"])
    steps = [l.split()[1] for l in out.split("\n") if len(l.split()) > 1]
    examples = sorted(os.path.basename(f) for f in
                      glob.glob(os.path.join(TOP, "examples", "*"))
                      if os.path.isfile(f))
    for kind, names in (("tour step", steps), ("example", examples)):
        for name in names:
            if "`%s`" % name not in text:
                fail(path, 1, "%s %s" % (kind, name),
                     "not described in docs/test-mmap.md (as `%s`)" % name)
    for word in sorted(lab_commands(tm)):
        if not re.search(r"`%s[` ]" % re.escape(word), text):
            fail(path, 1, "lab command %s" % word,
                 "not in docs/test-mmap.md's table of commands (as `%s ...`)"
                 % word)
    check_man(tm)


def check_man(tm):
    """The manual page (debian/test-mmap.1) names the commands --help
    names, in its synopsis and as a .B entry each, and no count of tour
    steps (it would go stale)."""
    path = os.path.join(TOP, "debian", "test-mmap.1")
    if not os.path.isfile(path):
        return
    man = open(path, encoding="utf-8").read().split("\n")
    _, out = run(tm, ["--help"])
    m = re.search(r"^usage: test-mmap \[options\] \[([a-z|]+)\]", out, re.M)
    if not m:
        fail(path, 1, "test-mmap --help", "no 'usage: test-mmap [options] [...]' line")
        return
    cmds = m.group(1).split("|")
    syn = [(i + 1, l) for i, l in enumerate(man) if l.startswith(".RB [ ")]
    have = syn[0][1][len(".RB [ "):].rstrip(" ]").split(" | ") if syn else []
    if have != cmds:
        fail(path, syn[0][0] if syn else 1, "test-mmap --help",
             "the synopsis lists %s where --help lists %s" % (have, cmds))
    for c in cmds:
        if not any(re.match(r"\.B[IR]? %s\b" % c, l) for l in man):
            fail(path, 1, "test-mmap %s" % c, "no .B %s entry under COMMANDS" % c)
    for i, l in enumerate(man):
        if re.search(r"\b\d+ (guided )?steps\b", l):
            fail(path, i + 1, l, "a count of tour steps goes stale: say 'the steps'")


def words(line):
    """A shell line's words, operators as words of their own."""
    lex = shlex.shlex(line, posix=True, punctuation_chars=";&|<>")
    lex.whitespace_split = True
    lex.commenters = "#"
    return list(lex)


def segments(ws):
    seg = []
    for w in ws:
        if w in OPERATORS:
            if seg:
                yield seg
            seg = []
        else:
            seg.append(w)
    if seg:
        yield seg


def command_of(seg):
    """(assignments, command word, arguments) of one simple command."""
    env = []
    i = 0
    while i < len(seg) and (seg[i] in ("sudo", "env", "exec", "time") or
                            ASSIGN.match(seg[i])):
        if ASSIGN.match(seg[i]):
            env.append(seg[i])
        i += 1
    rest = seg[i:]
    if len(rest) > 1 and rest[0] in ("python3", "bash", "sh") and \
            re.match(r"^(\./)?scripts/", rest[1]):
        rest = rest[1:]
    args, skip = [], False
    for w in rest[1:]:
        if skip:
            skip = False
        elif w in REDIRECTS:
            skip = True
        else:
            args.append(w)
    return env, (rest[0] if rest else None), args


def checked(word):
    """Whether WORD is a command this check knows (a directory or a glob
    of scripts/ is not a command)."""
    return word is not None and (
        os.path.basename(word) == "test-mmap" or word == "make" or
        re.match(r"^(\./)?scripts/[^*?]*[^/*?]$", word) is not None)


makefile_cache = {}


def make_targets(makefile):
    if makefile not in makefile_cache:
        targets = set()
        with open(makefile, encoding="utf-8") as f:
            text = f.read().replace("\\\n", " ")
        for line in text.split("\n"):
            if line.startswith("\t") or line.lstrip().startswith("#"):
                continue
            m = re.match(r"^([^:=#]+?)\s*::?(?!=)(.*)$", line)
            if not m:
                continue
            if m.group(1).strip() == ".PHONY":
                targets.update(m.group(2).split())
            else:
                targets.update(m.group(1).split())
        makefile_cache[makefile] = targets
    return makefile_cache[makefile]


corpus_text = None


def variable_read(name):
    """Whether NAME is a word of the Makefiles or of scripts/."""
    global corpus_text
    if corpus_text is None:
        files = subprocess.run(
            ["git", "-C", TOP, "ls-files", "Makefile", "*/Makefile", "Kbuild",
             "*.mk", "scripts"], stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, universal_newlines=True).stdout.split()
        if not files:       # not a git tree: the same files, from the disk
            files = ["Makefile", "Kbuild"] + [
                os.path.relpath(os.path.join(d, f), TOP)
                for top in ("scripts", "test", "src")
                for d, _, fs in os.walk(os.path.join(TOP, top)) for f in fs
                if top == "scripts" or f == "Makefile" or f.endswith(".mk")]
        parts = []
        for f in files:
            try:
                with open(os.path.join(TOP, f), encoding="utf-8",
                          errors="replace") as fh:
                    parts.append(fh.read())
            except OSError:
                pass
        corpus_text = "\n".join(parts)
    return re.search(r"(?<![A-Za-z0-9_])%s(?![A-Za-z0-9_])" % re.escape(name),
                     corpus_text) is not None


def check_make(path, n, shown, env, args):
    directory, makefile, targets, variables = TOP, None, [], []
    i = 0
    while i < len(args):
        a = args[i]
        if a in ("-C", "-f", "-j", "-l", "-I", "-o", "-W") and i + 1 < len(args):
            if a == "-C":
                directory = os.path.join(TOP, args[i + 1])
            elif a == "-f":
                makefile = args[i + 1]
            i += 2
            continue
        if a.startswith("-C") and len(a) > 2:
            directory = os.path.join(TOP, a[2:])
        elif a.startswith("-"):
            pass
        elif ASSIGN.match(a):
            variables.append(a)
        else:
            targets.append(a)
        i += 1
    mf = os.path.join(directory, makefile or "Makefile")
    if not os.path.isfile(mf):
        fail(path, n, shown, "no Makefile %s" % os.path.relpath(mf, TOP))
        return
    known = make_targets(mf)
    for t in targets:
        if t not in known:
            fail(path, n, shown, "no target '%s' in %s" %
                 (t, os.path.relpath(mf, TOP)))
    for v in env + variables:
        name = v.split("=", 1)[0]
        if not variable_read(name):
            fail(path, n, shown, "%s is read by no Makefile and no script"
                 % name)


def check_script(path, n, shown, word, args):
    f = os.path.normpath(os.path.join(TOP, word))
    if not os.path.isfile(f):
        fail(path, n, shown, "no such script %s" % os.path.relpath(f, TOP))
        return
    text = open(f, encoding="utf-8", errors="replace").read()
    for a in args:
        if a == "--":
            break
        m = re.match(r"^\[?(--[A-Za-z0-9][A-Za-z0-9-]*)", a)
        if m and not re.search(r"%s(?![A-Za-z0-9-])" % re.escape(m.group(1)),
                               text):
            fail(path, n, shown, "%s does not take %s" %
                 (os.path.relpath(f, TOP), m.group(1)))


def check_test_mmap(path, n, shown, args, tm):
    rc, out = run(tm, ["--dry-run"] + args)
    if rc != 0:
        why = out.strip().split("\n")[0] if out.strip() else "no message"
        if why.startswith(tm + ":"):
            why = "test-mmap" + why[len(tm):]
        fail(path, n, shown, "test-mmap --dry-run exits %d: %s" % (rc, why))


def check_shell(path, n, line, tm, span=False):
    try:
        ws = words(line)
    except ValueError as e:
        if any(checked(w) for w in line.split()):
            fail(path, n, line, "cannot split it into words: %s" % e)
        return
    for seg in segments(ws):
        env, word, args = command_of(seg)
        if not checked(word):
            if span:
                return      # a span that does not start with a command
            continue
        span = False
        shown = " ".join(seg)
        if PLACEHOLDERS & set(args):
            continue        # a synopsis, not a command line
        note(path, n, shown)
        if os.path.basename(word) == "test-mmap":
            check_test_mmap(path, n, shown, args, tm)
        elif word == "make":
            check_make(path, n, shown, env, args)
        else:
            check_script(path, n, shown, word, args)


lab_words = None


def lab_commands(tm):
    """The command words that test-mmap -i's "help" lists."""
    global lab_words
    if lab_words is None:
        _, out = run(tm, ["-i"], stdin="help\n")
        lab_words = set()
        for l in out.split("\n"):
            m = re.match(r"^  ([a-z]+)\b", l)
            if m:
                lab_words.add(m.group(1))
            m = re.search(r"\(also: ([^)]*)\)", l)
            if m:
                lab_words.update(w for w in re.findall(r"\b[a-z]+\b",
                                                       m.group(1))
                                 if w not in ("end", "of", "input"))
    return lab_words


def check_lab(path, n, line, tm):
    if not lab_commands(tm):
        fail(path, n, "test-mmap -i", "'help' lists no command")
        return
    text = line.split(" #", 1)[0].strip() if not line.startswith("#") else ""
    if not text:
        return
    assigned = re.match(r"^\$\w+\s*=\s*", text)
    body = text[assigned.end():] if assigned else text
    word = body.split()[0] if body.split() else ""
    note(path, n, "lab: " + text)
    if word not in lab_commands(tm):
        if not assigned:
            fail(path, n, text, "no command '%s' in test-mmap -i's help" %
                 word)
        return
    if word == "alloc":
        try:
            args = shlex.split(body)[1:]
        except ValueError as e:
            fail(path, n, text, "cannot split it into words: %s" % e)
            return
        args = ["0x1000" if re.search(r"[$+*/()<>!]", a) or
                re.match(r"^-[^-]", a) else a for a in args]
        check_test_mmap(path, n, text, ["alloc"] + args, tm)


def check_commands(doc, tm):
    for first, lines, mark in doc.blocks:
        if mark is not None:
            continue
        for n, line in lines:
            s = line.strip()
            if not s:
                continue
            if re.match(r"^(?:mmap-test|mt)?> ", s):
                check_lab(doc.path, n, LAB_PROMPT.sub("", s, count=1), tm)
                continue
            m = SHELL_PROMPT.match(s)
            check_shell(doc.path, n, s[m.end():] if m else s, tm)
    for n, text in doc.spans():
        s = SHELL_PROMPT.sub("", text, count=1)
        check_shell(doc.path, n, s, tm, span=True)


def main(argv):
    if len(argv) == 2 and argv[1] in ("-h", "--help"):
        with open(os.path.abspath(__file__), encoding="utf-8") as f:
            for line in f.read().split("\n")[3:]:
                if not line.startswith("#"):
                    break
                print(line[2:])
        return 0
    if len(argv) < 2 or argv[1] not in ("blocks", "commands", "links") or \
            (argv[1] != "links") != (len(argv) == 3) or len(argv) > 3:
        sys.stderr.write("usage: docs.py blocks|commands TEST_MMAP, "
                         "or docs.py links\n")
        return 2
    tm = os.path.abspath(argv[2]) if len(argv) == 3 else None
    if tm and not os.access(tm, os.X_OK):
        sys.stderr.write("docs.py: %s is not an executable\n" % tm)
        return 2
    for path in doc_files():
        doc = Doc(path)
        if argv[1] == "blocks":
            check_blocks(doc, tm)
        elif argv[1] == "commands":
            check_commands(doc, tm)
        else:
            check_links(doc)
    if argv[1] == "blocks":
        check_named(tm)
    for f in failures:
        print(f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
