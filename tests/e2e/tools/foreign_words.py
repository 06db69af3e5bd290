#!/usr/bin/env python3
"""foreign_words.py: finds words of the other language on a screen.

usage: foreign_words.py nl|en FIXTURE.json [TEXT...]  (text files; stdin when none)

For `nl` it prints every line of the text that holds an English word, for `en` every line that
holds a Dutch word, as "line: word" (exit 1 when there is one). What a person may rightly see in
the other language is taken out first: Loket's own texts (every string of the simulator's
fixture: names of employers, employees, components, and Loket's messages), file names and paths,
URLs, option names (--report, -m), configuration and mapping keys (camelCase, dotted or with an
underscore, environment variables), and text between double quotes (cells and headers of the
input, values of the mapping). On a Dutch screen a date in ISO form (2026-11-30) counts as foreign
too: Dutch writes 30-11-2026. The word lists hold words of one language that are not words of
the other (so "is", "of", "had", "plan", "records" and "mapping" are in neither), and no names of
commands (employers, periods, show), nor the particles of Dutch names ("de", "van"), which
Loket's names hold in any language.
"""
import json
import re
import sys

ENGLISH = set("""
the and not with without would that which this these those from into only file files row rows
column columns error errors warning warnings employee employees employment period value values sent created updated unchanged rejected skipped failed total totals
connect connection stopped before after found missing expected invalid must should could
cannot couldn't yes stored user role attempt attempts usage options exit done everything some
none empty read used shown line lines number name because where when what please unknown
command commands args default see also every each than there their were been being has
have does doesn't isn't lists list shows print prints write writes written nothing
entry entries component employer payrollid administration payroll outcome
issues issue problems stopped refused reason details summary sheet sum sums count
""".split())

DUTCH = set("""
het een niet geen voor vóór met bij werknemer werknemers bestand bestanden regel regels
fout fouten kolom kolommen periode periodes verstuurd afgewezen overgeslagen waarde waarden
totaal gebruik opdracht opdrachten zie alleen maar naar wordt worden zijn heeft hebben
dienstverband dienstverbanden looncomponent looncomponenten verloningsperiode afsluitcode
afsluitcodes werkgever werkgevers aangemaakt bijgewerkt ongewijzigd mislukt gelezen leeg
uitkomst som meldingen problemen waarschuwing gestopt verbinding bereikbaar klopt bedoelt
""".split())

WORD = re.compile(r"[A-Za-zÀ-ÿ0-9'’]+")
# a date a Dutch reader should see as 30-11-2026 (ISO text inside a name or path is stripped)
ISO_DATE = re.compile(r"(?<![\w-])\d{4}-\d{2}-\d{2}(?![\w-])")


def fixture_strings(path):
    out = set()

    def walk(v):
        if isinstance(v, str):
            # names and messages, not dates, ids, codes or the lower-case name prefixes
            # ("van den", "de") that would hide real words
            if len(v) > 2 and re.search(r"[A-Z]", v) and not re.fullmatch(r"[\d:TZ.+-]+", v):
                out.add(v)
        elif isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)
    with open(path, encoding="utf-8") as f:
        walk(json.load(f))
    return sorted(out, key=len, reverse=True)


STRIP = [
    re.compile(r'"[^"\n]*"'),                      # quoted: cells, headers, mapping values
    re.compile(r"'[a-z][a-z-]*'"),                 # a quoted literal value: 'none', 'auto'
    re.compile(r"\S*://\S*"),                      # URLs
    re.compile(r"\S*/\S*"),                        # paths (and a/b fractions)
    re.compile(r"\S+\.(?:csv|xlsx|json|pdf|txt|po|log)\b", re.I),
    re.compile(r"(?<![A-Za-z])--?[A-Za-z][A-Za-z0-9-]*"),   # option names
    re.compile(r"\$?\b[A-Za-z0-9]*_[A-Za-z0-9_]*\b"),       # ENV_VARS, snake_keys
    re.compile(r"\b[a-z]+[A-Z][A-Za-z0-9]*(?:\.[A-Za-z0-9]+)*\b"),  # camelCase keys
    re.compile(r"\b[a-z]+(?:\.[A-Za-z]+)+\b"),              # dotted keys
]


def check(lang, fixture, lines):
    words = ENGLISH if lang == "nl" else DUTCH
    loket = fixture_strings(fixture)
    bad = []
    for line in lines:
        line = line.rstrip("\n")
        text = line
        for s in loket:
            if s in text:
                text = re.sub(r"(?<!\w)" + re.escape(s) + r"(?!\w)", " ", text)
        # payrollId is Loket's field name, but not a word for a person's screen
        if lang == "nl" and re.search(r"\bpayrollId\b", text):
            bad.append((line, "payrollId"))
        for rx in STRIP:
            text = rx.sub(" ", text)
        # a word with a digit in it is a name (sha256sum, 2026-P11), not a word of a language
        hit = next((w for w in WORD.findall(text)
                    if not re.search(r"[0-9]", w) and w.lower().strip("'’") in words), None)
        if hit:
            bad.append((line, hit))
        elif lang == "nl" and ISO_DATE.search(text):
            bad.append((line, ISO_DATE.search(text).group(0)))
    return bad


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ("nl", "en"):
        sys.stderr.write(__doc__)
        return 64
    lines = []
    if len(sys.argv) > 3:
        for p in sys.argv[3:]:
            with open(p, encoding="utf-8", errors="replace") as f:
                lines.extend(f)
    else:
        lines = sys.stdin.readlines()
    bad = check(sys.argv[1], sys.argv[2], lines)
    for line, w in bad:
        print("%s  <- %s" % (line, w))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
