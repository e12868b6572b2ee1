"""French typography: no-break spaces where French puts a space before or inside marks."""

from qa_tool.core.typography import NBSP, NNBSP, french_spacing, in_text, typeset_html


def test_french_spaces_become_no_break_ones():
    assert french_spacing("Priorité : agir ; vite ! Pourquoi ?") == (
        f"Priorité{NBSP}: agir{NNBSP}; vite{NNBSP}! Pourquoi{NNBSP}?"
    )
    assert french_spacing("« qualité »") == f"«{NBSP}qualité{NBSP}»"
    assert french_spacing("«qualité»") == f"«{NBSP}qualité{NBSP}»"  # always inside « »
    assert french_spacing(f"déjà{NBSP}:") == f"déjà{NBSP}:"  # idempotent


def test_no_space_is_added_where_there_was_none():
    for text in ("10:30", "https://example.org/?q=1", "&amp; &#x27;", "C1;C2", "Note:"):
        assert french_spacing(text) == text


def test_only_the_text_of_html_is_touched():
    html = (
        '<style>a:hover { content: " : " } p ; {}</style>'
        '<p title="Note : x" class="a ; b">Note : voir « ceci » ?</p>'
        "<script>if (a ? b : c) {}</script>"
    )
    out = in_text(html, french_spacing)
    assert out == (
        '<style>a:hover { content: " : " } p ; {}</style>'
        f'<p title="Note : x" class="a ; b">Note{NBSP}: voir «{NBSP}ceci{NBSP}»{NNBSP}?</p>'
        "<script>if (a ? b : c) {}</script>"
    )


def test_only_french_is_typeset():
    html = "<p>Note : voir ?</p>"
    assert typeset_html(html, "en") == html
    assert typeset_html(html, "ar") == html
    assert typeset_html(html, "fr") == f"<p>Note{NBSP}: voir{NNBSP}?</p>"
