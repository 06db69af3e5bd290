#!/usr/bin/env python3
"""
untranslated.py: finds text printed to a person without gettext.

    python3 tests/i18n/untranslated.py src

Looks at every call of the functions that print or word a message (printf, fprintf, fputs, puts,
lk_errorf, lk_warn, lk_die, lk_error_set, and every function declared in the sources with
__attribute__((format(printf, N, M))), the program's own message helpers) whose text argument is
a string literal holding a word
(two letters in a row outside %-conversions and escapes), and reports it unless the literal is
inside _(), N_() or ngettext(). Text for machines (JSON, log keys, the journal, HTTP) is marked
on its line or the line before with a comment holding "not translated", or its whole file is
named below with the reason. Prints one line per finding, FILE:LINE: TEXT; exits 1 when any.
"""
import os
import re
import sys

# files whose every printed line is for a machine or a server, never a person
MACHINE_FILES = {
}

# call name -> index of the text argument
CALLS = {
    'printf': 0, 'fprintf': 1, 'fputs': 0, 'puts': 0,
    'lk_errorf': 0, 'lk_warn': 0, 'lk_die': 0, 'lk_error_set': 2,
}

ATTR_RE = re.compile(r'__attribute__\s*\(\(\s*format\s*\(\s*printf\s*,\s*(\d+)\s*,\s*\d+\s*\)\s*\)\)')
# printf-like builders of any text, and writers of machine text: not checked by their attribute
NOT_MESSAGES = {'strbuf_addf', 'strbuf_vaddf', 'lk_trace_line', 'log_event', 'vreport'}
NOT_NAMES = {'__attribute__', 'format', 'printf', 'if', 'while', 'for', 'switch', 'return', 'sizeof'}


def printf_like(code):
    """Functions declared with a printf format attribute: name -> index of the format."""
    found = {}
    for m in ATTR_RE.finditer(code):
        start = max(code.rfind(';', 0, m.start()), code.rfind('}', 0, m.start()),
                    code.rfind('\n#', 0, m.start())) + 1
        ends = [e for e in (code.find('{', m.end()), code.find(';', m.end())) if e >= 0]
        end = min(ends) if ends else len(code)
        for name in re.finditer(r'\b([A-Za-z_]\w*)\s*\(', code[start:end]):
            if name.group(1) not in NOT_NAMES:
                if name.group(1) not in NOT_MESSAGES:
                    found[name.group(1)] = int(m.group(1)) - 1
                break
    return found
WORD_RE = re.compile(r'[A-Za-z]{2,}')
CONV_RE = re.compile(r'%[-+ #0-9.*]*(?:hh|h|ll|l|z|j|t|L)?[diouxXeEfgGcspn%]|\\x[0-9A-Fa-f]+|\\[0-7]{1,3}|\\.|PRI[diouxX](?:64|32)?')


def strip_comments(src):
    """Blanks out comments (keeping newlines and the text 'not translated' markers apart)."""
    out, i, n = [], 0, len(src)
    marks = set()
    line = 1
    while i < n:
        c = src[i]
        if src.startswith('/*', i):
            j = src.find('*/', i + 2)
            j = n if j < 0 else j + 2
            body = src[i:j]
            if 'not translated' in body:
                marks.add(line + body.count('\n'))
            line += body.count('\n')
            out.append(re.sub(r'[^\n]', ' ', body))
            i = j
        elif src.startswith('//', i):
            j = src.find('\n', i)
            j = n if j < 0 else j
            if 'not translated' in src[i:j]:
                marks.add(line)
            out.append(' ' * (j - i))
            i = j
        elif c in '"\'':
            j = i + 1
            while j < n and src[j] != c:
                j += 2 if src[j] == '\\' else 1
            out.append(src[i:j + 1])
            line += src[i:j + 1].count('\n')
            i = j + 1
        else:
            if c == '\n':
                line += 1
            out.append(c)
            i += 1
    return ''.join(out), marks


def split_args(s, start):
    """The arguments of the call whose '(' is at s[start-1]: list of (text, offset)."""
    depth, i, args, begin = 0, start, [], start
    while i < len(s):
        c = s[i]
        if c in '"\'':
            j = i + 1
            while j < len(s) and s[j] != c:
                j += 2 if s[j] == '\\' else 1
            i = j + 1
            continue
        if c in '([{':
            depth += 1
        elif c in ')]}':
            if depth == 0:
                args.append((s[begin:i], begin))
                return args
            depth -= 1
        elif c == ',' and depth == 0:
            args.append((s[begin:i], begin))
            begin = i + 1
        i += 1
    return args


def literal_text(arg):
    """The text of an argument that is string literals only (concatenated), else None."""
    a = arg.strip()
    if not a.startswith('"'):
        return None
    parts = re.findall(r'"((?:[^"\\]|\\.)*)"', a)
    rest = re.sub(r'"((?:[^"\\]|\\.)*)"', '', a).strip()
    if rest and not re.fullmatch(r'(PRI[diouxX](?:64|32)?|\s)*', rest):
        return None
    return ''.join(parts)


def check_file(path, calls, findings):
    src = open(path, encoding='utf-8', errors='replace').read()
    code, marks = strip_comments(src)
    call_re = re.compile(r'\b(' + '|'.join(sorted(calls)) + r')\s*\(')
    for m in call_re.finditer(code):
        # a definition or declaration of the function itself is no call
        before = code[max(0, m.start() - 40):m.start()]
        if re.search(r'(void|int|lk_code|char)\s*\**\s*$', before):
            continue
        args = split_args(code, m.end())
        idx = calls[m.group(1)]
        if idx >= len(args):
            continue
        text = literal_text(args[idx][0])
        if text is None:
            continue
        if not WORD_RE.search(CONV_RE.sub(' ', text)):
            continue
        line = code.count('\n', 0, args[idx][1] + len(args[idx][0]) - len(args[idx][0].lstrip())) + 1
        call_line = code.count('\n', 0, m.start()) + 1
        if any(l in marks for l in range(call_line - 1, line + 1)):
            continue
        findings.append('%s:%d: %s' % (path, line, text[:100]))


def main():
    roots = sys.argv[1:] or ['src']
    findings = []
    paths = []
    for root in roots:
        for dirpath, _, files in os.walk(root):
            paths += [os.path.join(dirpath, f) for f in sorted(files) if f.endswith(('.c', '.h'))]
    calls = dict(CALLS)
    for p in paths:
        calls.update(printf_like(strip_comments(open(p, encoding='utf-8', errors='replace').read())[0]))
    for p in paths:
        if p.endswith('.c') and p not in MACHINE_FILES:
            check_file(p, calls, findings)
    for f in sorted(findings):
        print(f)
    if findings:
        print('%d printed texts without _(): wrap them, or mark machine text "not translated"'
              % len(findings), file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
