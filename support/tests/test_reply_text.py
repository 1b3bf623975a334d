"""What is kept of an emailed reply: the new text, without the quoted email, its header or a signature."""

import pytest

from support.inbound.html import html_to_text
from support.inbound.quotes import reply_text

QUOTED = "> Hello Alex,\n> Please bring your passport.\n"


@pytest.mark.parametrize(
    "header",
    [
        "On Mon, Dec 1, 2026 at 10:00 AM ALT Portal <portal@example.com> wrote:",
        # Gmail wraps a long header over two lines.
        "On Mon, Dec 1, 2026 at 10:00 AM ALT Portal <\nreply+2n9c-1a-t0xq8w-abcdefghijklmnopqrstuvwx@x.jp> wrote:",
        "On 2026/12/01 10:00, ALT Portal wrote:",
        "ALT Portal <portal@example.com> のメッセージ:",
        "2026/12/01 10:00、ALT Portal <portal@example.com>のメール：",
        "2026年12月1日(火) 10:00 ALT Portal <portal@example.com>:",
        "2026/12/01 10:00 に ALT Portal さんは書きました:",
        "-----Original Message-----",
        "----- 元のメッセージ -----",
    ],
)
def test_everything_from_the_quote_header_down_is_dropped(header):
    text = f"Thank you, I will bring it.\n\n{header}\n{QUOTED}"
    assert reply_text(text) == "Thank you, I will bring it."


def test_outlooks_header_block_and_what_follows_are_dropped():
    text = (
        "See you on Monday.\n\n________________________________\nFrom: ALT Portal <portal@example.com>\n"
        "Sent: Monday, December 1, 2026 10:00\nTo: Alex\nSubject: Reply\n\nHello Alex,\nPlease bring your passport.\n"
    )
    assert reply_text(text) == "See you on Monday."


def test_outlooks_japanese_header_block_is_dropped():
    text = (
        "承知しました。\n\n"
        "差出人: ALT Portal <portal@example.com>\n送信日時: 2026年12月1日 10:00\n宛先: Alex\n件名: Re\n\n本文"
    )
    assert reply_text(text) == "承知しました。"


def test_a_from_line_in_the_writers_own_text_is_kept():
    text = "From: my landlord, the key is ready.\nThanks!"
    assert reply_text(text) == text


def test_the_signature_and_phone_footer_are_dropped():
    assert reply_text("Yes, Tuesday works.\n\n-- \nAlex Smith\nTokyo") == "Yes, Tuesday works."
    assert reply_text("Yes, Tuesday works.\n\nSent from my iPhone") == "Yes, Tuesday works."
    assert reply_text("火曜日で大丈夫です。\n\niPhoneから送信") == "火曜日で大丈夫です。"


def test_quoted_lines_between_answers_are_dropped():
    text = "> Can you come on Tuesday?\nYes.\n> Do you have your card?\nI do.\n"
    assert reply_text(text) == "Yes.\nI do."


def test_a_reply_written_below_the_quote_is_kept():
    text = f"On Mon, Dec 1, 2026 at 10:00 AM ALT Portal <portal@example.com> wrote:\n{QUOTED}\nBelow: yes, I will.\n"
    assert reply_text(text) == "Below: yes, I will."


def test_text_without_quotes_is_kept_as_written():
    text = "Line one\r\n\r\n\r\n\r\nLine two with > inside\n"
    assert reply_text(text) == "Line one\n\nLine two with > inside"


def test_html_becomes_text_with_blocks_links_and_quotes():
    html = (
        "<html><head><title>t</title><style>p{color:red}</style><script>alert(1)</script></head><body>"
        "<p>Thanks &amp; regards</p><div>Map: <a href='https://maps.example.com/x'>the office</a></div>"
        "<ul><li>passport</li><li>card</li></ul><blockquote>old<br>text</blockquote></body></html>"
    )
    assert html_to_text(html) == (
        "Thanks & regards\nMap: the office (https://maps.example.com/x)\n- passport\n- card\n> old\n> text"
    )
