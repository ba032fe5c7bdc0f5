"""DocBook msg -> HTML (MC-02): the TKB's examples render as structure, anything outside
the subset shows the real inbox's marker, and nothing in a message can become markup."""

import pytest
from lxml import html

from simulator.citizen.docbook_html import MISMATCH, render, safe_href

TKB_CANCELLED = """<?xml version="1.0"?>
<article><info><title>Tid avbokad hos Testvårdcentralen!</title></info>
  <para> Du har avbokat din tid måndag 24 september, 2012 kl. 14:00</para>
  <variablelist><title>Din avbokade tid</title>
    <varlistentry><term>Tid:</term><listitem>Måndag 20120924 kl. 14:00</listitem></varlistentry>
    <varlistentry><term>Typ av tid:</term><listitem>Provtagning</listitem></varlistentry>
  </variablelist></article>"""

TKB_SECTIONS = """<?xml version="1.0"?>
<article><info><title>Välkommen till Testvårdcentralen!</title></info>
  <para>Kallelse till provtagning</para>
  <section><title>Screening</title><para>Vi genomför nu ett större screening-program.</para>
    <variablelist><varlistentry><term>Plats</term><listitem>Plan 2</listitem></varlistentry></variablelist></section>
  <section><info><title>Förberedelser</title></info>
    <para>Du får inte äta <ulink url="https://1177.se/fasta" type="_blank">läs mer</ulink> före besök</para></section>
  <bibliography>Personalen på Testvårdcentralen</bibliography></article>"""


def tree(msg):
    return html.fragment_fromstring(str(render(msg)), create_parent="div")


def test_tkb_cancellation_example_renders_title_para_and_definition_list():
    root = tree(TKB_CANCELLED)
    assert root.xpath("string(//article/header/h2)") == "Tid avbokad hos Testvårdcentralen!"
    assert [dt.text for dt in root.iter("dt")] == ["Tid:", "Typ av tid:"]
    assert [dd.text for dd in root.iter("dd")] == ["Måndag 20120924 kl. 14:00", "Provtagning"]
    assert root.xpath("string(//div[@class='variablelist']/h4)") == "Din avbokade tid"
    assert MISMATCH not in root.text_content()


def test_sections_titles_links_and_signature():
    root = tree(TKB_SECTIONS)
    assert [h.text for h in root.iter("h3")] == ["Screening", "Förberedelser"]
    link = root.xpath("//a")[0]
    assert (link.get("href"), link.get("target"), link.text) == ("https://1177.se/fasta", "_blank", "läs mer")
    assert "noopener" in link.get("rel")
    assert root.xpath("string(//p[@class='bibliography'])") == "Personalen på Testvårdcentralen"
    assert MISMATCH not in root.text_content()


@pytest.mark.parametrize(
    "msg",
    [
        "<article><para><emphasis>fet</emphasis></para></article>",  # not in the subset
        "<article><section><section><para>x</para></section></section></article>",  # section in section
        "<article><ulink url='https://a.se'>x</ulink></article>",  # ulink outside para
        "<article><varlistentry><term>x</term></varlistentry></article>",  # entry outside a list
        "<document><para>x</para></document>",  # wrong root
        "<article><para>not closed</article>",  # not XML
        "",
    ],
)
def test_anything_outside_the_table_shows_the_mismatch_marker(msg):
    assert MISMATCH in tree(msg).text_content()


def test_marker_replaces_only_the_offending_element():
    root = tree("<article><para>före</para><table>hemligt</table><para>efter</para></article>")
    text = root.text_content()
    assert "före" in text and "efter" in text and MISMATCH in text and "hemligt" not in text


def test_script_in_text_is_text_not_markup():
    root = tree(
        "<article><para>&lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(2)&gt;</para></article>"
    )
    assert not root.xpath("//script | //img")
    assert "<script>alert(1)</script>" in root.text_content()


def test_script_element_and_event_handler_attributes_never_reach_the_page():
    out = str(
        render(
            "<article><script>alert(1)</script><para onclick='alert(2)'>x</para>"
            "<para><img src='x' onerror='alert(3)'/></para></article>"
        )
    )
    assert "<script" not in out and "onclick" not in out and "onerror" not in out and "<img" not in out
    assert out.count(MISMATCH) == 3


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "//evil.example/x",
        "vbscript:x",
        "https://ok.example/a b",
        "ftp://files.example/x",
        "",
    ],
)
def test_only_http_and_https_links_are_links(url):
    assert safe_href(url) is None
    assert not tree(f'<article><para><ulink url="{url}">klick</ulink></para></article>').xpath("//a")


@pytest.mark.parametrize("url", ["http://1177.se", "https://www.1177.se/hitta-vard?x=1&y=2#z"])
def test_http_links_are_kept(url):
    assert safe_href(url) == url
    assert tree(f'<article><para><ulink url="{url.replace("&", "&amp;")}">k</ulink></para></article>').xpath(
        "//a/@href"
    ) == [url]


def test_self_links_open_in_the_same_window():
    link = tree('<article><para><ulink url="https://a.se" type="_self">a</ulink></para></article>').xpath("//a")[0]
    assert link.get("target") is None
