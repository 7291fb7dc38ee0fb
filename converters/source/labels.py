"""The words the apparatus prints ("Chapter", "Figure", "on page" ...) in the book's language.

Chosen by the primary subtag of the book's language (``fr-CA`` takes French); a language not
listed takes English.  ``labels:`` in book.yaml overrides any of them.
"""

from __future__ import annotations

LABEL_KEYS = ("chapter", "part", "appendix", "section", "figure", "table", "equation",
              "page", "index", "figures", "tables", "see", "see-also")

LABELS: dict[str, dict[str, str]] = {
    "en": {"chapter": "Chapter", "part": "Part", "appendix": "Appendix", "section": "Section",
           "figure": "Figure", "table": "Table", "equation": "Equation", "page": "on page",
           "index": "Index", "figures": "Figures", "tables": "Tables", "see": "see",
           "see-also": "see also"},
    "fr": {"chapter": "Chapitre", "part": "Partie", "appendix": "Annexe", "section": "Section",
           "figure": "Figure", "table": "Tableau", "equation": "Équation", "page": "page",
           "index": "Index", "figures": "Figures", "tables": "Tableaux", "see": "voir",
           "see-also": "voir aussi"},
    "de": {"chapter": "Kapitel", "part": "Teil", "appendix": "Anhang", "section": "Abschnitt",
           "figure": "Abbildung", "table": "Tabelle", "equation": "Gleichung",
           "page": "auf Seite", "index": "Register", "figures": "Abbildungen",
           "tables": "Tabellen", "see": "siehe", "see-also": "siehe auch"},
    "es": {"chapter": "Capítulo", "part": "Parte", "appendix": "Apéndice", "section": "Sección",
           "figure": "Figura", "table": "Tabla", "equation": "Ecuación",
           "page": "en la página", "index": "Índice alfabético", "figures": "Figuras",
           "tables": "Tablas", "see": "véase", "see-also": "véase también"},
    "it": {"chapter": "Capitolo", "part": "Parte", "appendix": "Appendice", "section": "Sezione",
           "figure": "Figura", "table": "Tabella", "equation": "Equazione", "page": "a pagina",
           "index": "Indice analitico", "figures": "Figure", "tables": "Tabelle",
           "see": "vedi", "see-also": "vedi anche"},
    "pt": {"chapter": "Capítulo", "part": "Parte", "appendix": "Apêndice", "section": "Secção",
           "figure": "Figura", "table": "Tabela", "equation": "Equação", "page": "na página",
           "index": "Índice remissivo", "figures": "Figuras", "tables": "Tabelas",
           "see": "ver", "see-also": "ver também"},
    "nl": {"chapter": "Hoofdstuk", "part": "Deel", "appendix": "Bijlage", "section": "Paragraaf",
           "figure": "Figuur", "table": "Tabel", "equation": "Vergelijking",
           "page": "op pagina", "index": "Register", "figures": "Figuren", "tables": "Tabellen",
           "see": "zie", "see-also": "zie ook"},
    "ru": {"chapter": "Глава", "part": "Часть", "appendix": "Приложение", "section": "Раздел",
           "figure": "Рисунок", "table": "Таблица", "equation": "Уравнение",
           "page": "на с.", "index": "Предметный указатель", "figures": "Рисунки",
           "tables": "Таблицы", "see": "см.", "see-also": "см. также"},
}

# Cardinal words for 'numbering: words', capitalised as a heading shows them.
WORDS: dict[str, str] = {  # 1 to 20, split at use
    "en": "One Two Three Four Five Six Seven Eight Nine Ten Eleven Twelve Thirteen Fourteen "
          "Fifteen Sixteen Seventeen Eighteen Nineteen Twenty",
    "fr": "Un Deux Trois Quatre Cinq Six Sept Huit Neuf Dix Onze Douze Treize Quatorze Quinze "
          "Seize Dix-sept Dix-huit Dix-neuf Vingt",
    "de": "Eins Zwei Drei Vier Fünf Sechs Sieben Acht Neun Zehn Elf Zwölf Dreizehn Vierzehn "
          "Fünfzehn Sechzehn Siebzehn Achtzehn Neunzehn Zwanzig",
    "es": "Uno Dos Tres Cuatro Cinco Seis Siete Ocho Nueve Diez Once Doce Trece Catorce Quince "
          "Dieciséis Diecisiete Dieciocho Diecinueve Veinte",
    "it": "Uno Due Tre Quattro Cinque Sei Sette Otto Nove Dieci Undici Dodici Tredici "
          "Quattordici Quindici Sedici Diciassette Diciotto Diciannove Venti",
    "pt": "Um Dois Três Quatro Cinco Seis Sete Oito Nove Dez Onze Doze Treze Catorze Quinze "
          "Dezasseis Dezassete Dezoito Dezanove Vinte",
    "nl": "Eén Twee Drie Vier Vijf Zes Zeven Acht Negen Tien Elf Twaalf Dertien Veertien "
          "Vijftien Zestien Zeventien Achttien Negentien Twintig",
    "ru": "Один Два Три Четыре Пять Шесть Семь Восемь Девять Десять Одиннадцать Двенадцать "
          "Тринадцать Четырнадцать Пятнадцать Шестнадцать Семнадцать Восемнадцать "
          "Девятнадцать Двадцать",
}
_EN_TENS = ("Twenty", "Thirty", "Forty", "Fifty", "Sixty", "Seventy", "Eighty", "Ninety")


def base_language(tag: str) -> str:
    return (tag or "en").split("-")[0].lower()


def labels_for(language: str, overrides: dict[str, str] | None = None) -> dict[str, str]:
    chosen = dict(LABELS.get(base_language(language), LABELS["en"]))
    chosen.update(overrides or {})
    return chosen


def words(n: int, language: str) -> str | None:
    """``n`` in words, or None where this table stops (21 and over, English up to 99)."""
    table = WORDS.get(base_language(language), WORDS["en"]).split()
    if 1 <= n <= len(table):
        return table[n - 1]
    if base_language(language) == "en" and 21 <= n <= 99:
        tens, unit = divmod(n, 10)
        return _EN_TENS[tens - 2] + (f"-{table[unit - 1].lower()}" if unit else "")
    return None


def roman(n: int) -> str:
    out = []
    for value, digits in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"),
                          (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"),
                          (4, "IV"), (1, "I")):
        count, n = divmod(n, value)
        out.append(digits * count)
    return "".join(out)


def letters(n: int) -> str:
    """A, B, ... Z, AA, AB, ... as appendices are lettered."""
    out = ""
    while n > 0:
        n, rest = divmod(n - 1, 26)
        out = chr(ord("A") + rest) + out
    return out
