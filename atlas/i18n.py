"""The interface's language: English (the source text) or Chinese (中文), from gettext catalogs.

Every text a reader sees is written in English in the code, marked with `_()` (or `N_()` where
it is only named, to be translated where it is shown), and translated from the message catalog
`atlas/locale/<lang>/LC_MESSAGES/messages.po`. `make catalog` extracts the marked texts
(pybabel extract) and merges them into the catalog (pybabel update); `make run` and `make test`
compile it (pybabel compile). A catalog newer than its compiled file is compiled in memory, so a
checkout that skipped the build still reads its own translations.

The language is per script run: the page frame sets it from the link (`lang=zh`) before any
text is drawn, and Streamlit runs each session's script in its own thread. The data (codes,
names, amounts) is the same in both languages; only how it reads changes, here: names in the
reader's script first, amounts in 万/亿, dates as 2023年3月.
"""

from __future__ import annotations

import gettext
import io
import math
import re
import threading
from functools import cache
from pathlib import Path

LANGUAGES = {"en": "English", "zh": "中文"}
DEFAULT = "en"
LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"

_local = threading.local()


def set_language(lang: object) -> str:
    """Make `lang` this thread's language (an unknown one reads as English); returns it."""
    _local.lang = lang if lang in LANGUAGES else DEFAULT
    return _local.lang


def language() -> str:
    """This thread's language: 'en' or 'zh'."""
    return getattr(_local, "lang", DEFAULT)


def catalog_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def _translations(lang: str) -> gettext.NullTranslations:
    if lang == DEFAULT:
        return gettext.NullTranslations()
    po = catalog_path(lang)
    mo = po.with_suffix(".mo")
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        with mo.open("rb") as f:
            return gettext.GNUTranslations(f)
    from babel.messages.mofile import write_mo  # a catalog edited since the build: compile it here
    from babel.messages.pofile import read_po

    with po.open("rb") as f:
        catalog = read_po(f)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def _(message: str) -> str:
    """`message` in this run's language."""
    return _translations(language()).gettext(message)


class Text(str):
    """A translated text that keeps its message and arguments: it reads as the text in the
    language it was made in, and `shown` gives it again in the reader's language of the moment
    (an upload's problems are kept across runs; after a switch to Chinese they read in Chinese)."""

    msgid: str
    args: dict

    def __new__(cls, msgid: str, args: dict | None = None):
        args = dict(args or {})
        made = super().__new__(cls, _render(msgid, args))
        made.msgid, made.args = msgid, args
        return made

    def format(self, *unnamed, **named) -> Text:  # noqa: D102 - str.format, remembered
        if unnamed:
            return Text(str.format(self, *unnamed, **named))  # not a catalog message's shape
        return Text(self.msgid, {**self.args, **named})

    def shown(self) -> str:
        """The text in the reader's language of the moment."""
        return _render(self.msgid, self.args)


def _render(msgid: str, args: dict) -> str:
    text = _(msgid)
    if not args:
        return text
    return text.format(**{k: shown(v) for k, v in args.items()})


def L_(message: str) -> Text:
    """Translate `message` now and keep it, to be shown again in another language (`shown`)."""
    return Text(message)


def shown(text: object):
    """A text as the reader reads it now: a kept message (`Text`), or an error made of one, in the
    reader's language; any other value as it is (a number keeps its format spec)."""
    if isinstance(text, Text):
        return text.shown()
    if isinstance(text, BaseException) and len(text.args) == 1 and isinstance(text.args[0], Text):
        return text.args[0].shown()
    return text


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for `n`, in this run's language."""
    return _translations(language()).ngettext(singular, plural, n)


def bound(fn):
    """`fn` run in this run's language wherever it is called (a download Streamlit makes on another
    thread, after the run)."""
    lang = language()

    def run(*args, **kwargs):
        before = language()
        set_language(lang)
        try:
            return fn(*args, **kwargs)
        finally:
            set_language(before)

    return run


def pgettext(context: str, message: str) -> str:
    """`message` in this run's language, where the same English word means something else
    elsewhere (`moves` the table, `moves` the counted noun)."""
    return _translations(language()).pgettext(context, message)


def NP_(context: str, message: str) -> str:
    """Marks a text with its context for the catalog, translated later with `pgettext`."""
    return message


def N_(message: str) -> str:
    """Marks a text for the catalog without translating it here (it is translated where shown)."""
    return message


def in_language(lang: str, message: str) -> str:
    """`message` in `lang`, whatever this run's language is (the language switch's own words)."""
    return _translations(lang if lang in LANGUAGES else DEFAULT).gettext(message)


# ---------------------------------------------------------------------------------------------
# How data reads in Chinese. English mode is unchanged by every function below.

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# display_name in queries/schema/macros.sql writes "Mu Li (李沐)": the English name, then the
# Chinese one in brackets; a Chinese reader gets "李沐 (Mu Li)"
_NAME_PAIR = re.compile(rf"(?P<en>[^\s(),;:·→—{_CJK}][^(),;:·→—{_CJK}]*?) \((?P<zh>[^()]*[{_CJK}][^()]*)\)")
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_YEAR = re.compile(r"^(\d{4})$")


def name(label: object) -> object:
    """Display names with the reader's script first: 'Mu Li (李沐)' reads '李沐 (Mu Li)' in
    Chinese, each of a list too ('Mu Li (李沐), Yangqing Jia (贾扬清)'); a name with one form is
    shown as it is."""
    if language() != "zh" or not isinstance(label, str):
        return label
    return _NAME_PAIR.sub(lambda m: f"{m['zh']} ({m['en']})", label)


def date(text: object, *, year_alone: bool = True) -> object:
    """A date at its precision: '2023-03' reads '2023年3月' in Chinese, '2023-03-05' '2023年3月5日',
    '2023' '2023年' (unless `year_alone` is False: a bare year may be a number, not a date)."""
    if language() != "zh" or not isinstance(text, str):
        return text
    if m := _DAY.match(text):
        return f"{m[1]}年{int(m[2])}月{int(m[3])}日"
    if m := _MONTH.match(text):
        return f"{m[1]}年{int(m[2])}月"
    if year_alone and (m := _YEAR.match(text)):
        return f"{m[1]}年"
    return text


# Chinese writes large amounts in 万 (10^4) and 亿 (10^8), the currency after the number.
_ZH_UNITS = ((1e12, "万亿"), (1e8, "亿"), (1e4, "万"))
ZH_CURRENCIES = {
    "CNY": "元",
    "USD": "美元",
    "EUR": "欧元",
    "GBP": "英镑",
    "JPY": "日元",
    "HKD": "港元",
    "CAD": "加元",
    "SGD": "新加坡元",
    "KRW": "韩元",
    "INR": "卢比",
    "CHF": "瑞士法郎",
    "AUD": "澳元",
}


def zh_number(value: float) -> str:
    """An amount in 万/亿: 10000000 -> '1,000万', 130000000 -> '1.3亿', 2500 -> '2,500'."""
    for scale, unit in _ZH_UNITS:
        if abs(value) >= scale:
            n = value / scale
            if abs(n) >= 100:
                text = f"{n:,.0f}"
            else:
                text = f"{n:.2f}".rstrip("0").rstrip(".") if abs(n) < 10 else f"{n:.1f}".rstrip("0").rstrip(".")
            return text + unit
    return f"{value:,.0f}" if value == math.floor(value) else f"{value:,.2f}"


def zh_money(low: float, high: float | None, currency: str) -> str:
    """'1,000万元', '1.3亿美元', '1,000万–1亿美元' (the currency once, after the number)."""
    unit = ZH_CURRENCIES.get(currency)
    text = zh_number(low) if high is None or high == low else f"{zh_number(low)}–{zh_number(high)}"
    return text + unit if unit else f"{text} {currency}"
