"""The compendium as a static HTML book, built from the stored executed notebooks without running them:
a landing page (findings, the paper, verdicts, scorecard, known differences: from README.md and the
exhibits), one page per notebook in the paper's order (nbconvert), every exhibit, the codebook and the
manifest. Math is typeset by MathJax 3 from the pinned PyPI package `django-static-mathjax` (MathJax's
own files, nothing of Django), copied into the book, so it renders offline.

    python -m helpers.book                  # writes build/book/index.html (what `make book` does)
    python -m helpers.book --out DIR
"""
import argparse
import html
import shutil
from pathlib import Path

import mathjax
import mistune
import nbformat
from jinja2 import DictLoader
from nbconvert import HTMLExporter

from . import paths
from .files import read_csv
from .run import notebooks

MARKER = ".compendium-book"  # marks a folder this module built, so a rebuild may empty it
MATHJAX = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"
# What tex-chtml.js loads; the other bundles and the speech engine are left out.
MATHJAX_UNUSED = shutil.ignore_patterns("sre", "*svg*", "mml-*", "tex-mml-*", "tex-chtml-full*", "latest.js", "node-main.js")
CSS = """
:root { --jp-content-font-family: "DejaVu Sans", Arial, "Noto Sans CJK SC", sans-serif;
        --jp-ui-font-family: "DejaVu Sans", Arial, "Noto Sans CJK SC", sans-serif;
        --jp-code-font-family: "DejaVu Sans Mono", monospace, "Noto Sans Mono CJK SC"; }
body { font-family: var(--jp-content-font-family); line-height: 1.5; }
body.book-page { max-width: 62rem; margin: 0 auto; padding: 0 1rem 3rem; }
nav.book { font-family: var(--jp-ui-font-family); font-size: 0.9rem; padding: 0.6rem 1rem;
           border-bottom: 1px solid #ccc; background: #f7f7f7; position: sticky; top: 0; z-index: 10; }
nav.book a, nav.book b { margin-right: 0.8rem; }
table { border-collapse: collapse; margin: 0.8rem 0; font-size: 0.85rem; }
th, td { border: 1px solid #ddd; padding: 0.2rem 0.5rem; text-align: left; vertical-align: top; }
img { max-width: 100%; }
details { background: #f3f7fb; border-left: 3px solid #4878a8; padding: 0.3rem 0.8rem; margin: 0.5rem 0; }
summary { cursor: pointer; font-weight: bold; }
"""
# nbconvert's lab template with the book's navigation and MathJax 3 from the book's own folder; without
# the require.js and mermaid loaders, which come from a CDN (no notebook has widgets or diagrams).
TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block html_head_js_mathjax -%}
<script>
window.MathJax = {tex: {inlineMath: [["$", "$"], ["\\\\(", "\\\\)"]], displayMath: [["$$", "$$"], ["\\\\[", "\\\\]"]],
                        processEscapes: true, processEnvironments: true}};
</script>
<script defer src="static/mathjax/tex-chtml.js"></script>
{%- endblock html_head_js_mathjax -%}
{% block extra_css %}<link rel="stylesheet" href="static/book.css">{% endblock extra_css %}
{%- block body_header -%}{{ super() }}{{ resources.book_nav }}{%- endblock body_header -%}
{% block body_footer %}{{ resources.book_nav }}{{ super() }}{% endblock body_footer %}
"""
PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{title}</title><link rel="stylesheet" href="static/book.css"></head>
<body class="book-page">{nav}<main>
{body}
</main></body></html>
"""
markdown = mistune.create_markdown(plugins=["table"], escape=False)


def readme_section(text: str, heading: str) -> str:
    """The Markdown under '## heading' of README.md, up to the next '## '."""
    part = text.split(f"\n## {heading}\n", 1)
    if len(part) < 2:
        raise KeyError(f"README.md has no section '## {heading}'")
    return part[1].split("\n## ", 1)[0]


def title(notebook: nbformat.NotebookNode) -> str:
    """The notebook's first heading, e.g. '05 · Baseline: digital economy and TFP (Table 4)'."""
    for cell in notebook.cells:
        for line in cell.source.splitlines():
            if cell.cell_type == "markdown" and line.startswith("# "):
                return line[2:].strip()
    raise ValueError("notebook without a '# ' heading")


def navigation(pages: list[tuple[str, str]], here: str) -> str:
    """The bar on every page: home, the notebooks in order (the current one in bold), reference pages."""
    links = ['<a href="index.html">Home</a>']
    for href, label in pages:
        short = html.escape(label.split(" ·")[0])
        links.append(f"<b>{short}</b>" if href == here else f'<a href="{href}" title="{html.escape(label)}">{short}</a>')
    links += ['<a href="exhibits.html">Exhibits</a>', '<a href="codebook.html">Codebook</a>',
              '<a href="manifest.html">Manifest</a>']
    return '<nav class="book">' + " ".join(links) + "</nav>"


def csv_page(path: Path, fix: str) -> str:
    """A CSV file as an HTML table; a malformed file (files.read_csv) stops the book, naming file and line."""
    return read_csv(path, fix).to_html(index=False, border=0, escape=True)


def exhibits(folder: Path, target: Path) -> str:
    """Every exhibit of figures/: figures (PNG, copied to `target`, which the landing page uses too) and
    Markdown tables."""
    target.mkdir(parents=True, exist_ok=True)
    parts = []
    for stem in sorted({p.stem for p in folder.glob("*.png")} | {p.stem for p in folder.glob("*.md")}):
        parts.append(f'<h2 id="{stem}">{stem}</h2>')
        if (folder / f"{stem}.png").exists():
            shutil.copyfile(folder / f"{stem}.png", target / f"{stem}.png")
            parts.append(f'<img src="figures/{stem}.png" alt="{stem}">')
        if (folder / f"{stem}.md").exists():
            parts.append(markdown((folder / f"{stem}.md").read_text(encoding="utf-8")))
    return "\n".join(parts)


def landing(readme: str, pages: list[tuple[str, str]], figures: Path) -> str:
    """Findings, the paper's reference and the notebooks from README.md, the computed verdicts and
    scorecard, the known differences."""
    name = readme.splitlines()[0].lstrip("# ")
    intro = readme.split("\n\n", 2)[1]
    contents = "\n".join(f'<li><a href="{href}">{html.escape(label)}</a></li>' for href, label in pages)
    return "\n".join([
        f"<h1>{html.escape(name)}</h1>", markdown(intro),
        "<h2>Findings</h2>", markdown(readme_section(readme, "Overview").split("\n| notebook |")[0]),
        "<h2>Verdicts</h2>", markdown((figures / "09_verdicts.md").read_text(encoding="utf-8")),
        "<h2>Scorecard</h2>", '<img src="figures/09_scorecard.png" alt="replication scorecard">',
        markdown((figures / "09_scorecard_summary.md").read_text(encoding="utf-8")),
        "<h2>The paper</h2>", markdown(readme_section(readme, "The paper")),
        f"<h2>Notebooks</h2><ol>{contents}</ol>",
        '<p>Also: <a href="exhibits.html">every exhibit</a>, <a href="codebook.html">the codebook</a> of the '
        'analysis panel, <a href="manifest.html">the manifest</a> of the extracts.</p>',
        "<h2>Known differences from the paper</h2>", markdown(readme_section(readme, "Known differences from the paper")),
    ])


def build(out: Path = paths.BOOK) -> Path:
    """Write the book into `out` (emptied first if an earlier build made it); returns index.html."""
    out = Path(out)
    codebook = csv_page(paths.PROCESSED / "CODEBOOK.csv", "Rerun notebooks/02_variables.ipynb (make reproduce).")
    manifest = csv_page(paths.MANIFEST, "Restore it with `git checkout data/raw`.")  # before anything is written
    if out.exists():
        if any(out.iterdir()) and not (out / MARKER).exists():
            raise FileExistsError(f"{out} is not empty and was not made by helpers.book: remove it (rm -r {out}) "
                                  f"or build the book elsewhere (python -m helpers.book --out DIR)")
        shutil.rmtree(out)
    (out / "static").mkdir(parents=True)
    (out / MARKER).touch()
    shutil.copytree(MATHJAX, out / "static" / "mathjax", ignore=MATHJAX_UNUSED)
    (out / "static" / "book.css").write_text(CSS, encoding="utf-8")

    stored = {path: nbformat.read(path, as_version=4) for path in notebooks()}
    pages = [(f"{path.stem}.html", title(nb)) for path, nb in stored.items()]
    exporter = HTMLExporter(template_name="lab", extra_loaders=[DictLoader({"book.html.j2": TEMPLATE})],
                            template_file="book.html.j2")
    for (path, nb), (href, _) in zip(stored.items(), pages):
        body, _ = exporter.from_notebook_node(nb, resources={"book_nav": navigation(pages, href),
                                                             "metadata": {"name": title(nb)}})
        (out / href).write_text(body, encoding="utf-8")

    readme = (paths.ROOT / "README.md").read_text(encoding="utf-8")
    figures = paths.FIGURES
    for href, heading, body in [
        ("index.html", "Replication compendium", landing(readme, pages, figures)),
        ("exhibits.html", "Exhibits", "<h1>Every exhibit</h1>" + exhibits(figures, out / "figures")),
        ("codebook.html", "Codebook", "<h1>Codebook of the analysis panel</h1>"
         "<p><code>data/processed/CODEBOOK.csv</code>, written by notebook 02.</p>" + codebook),
        ("manifest.html", "Manifest", "<h1>Manifest of the extracts</h1>"
         "<p><code>data/raw/MANIFEST.csv</code>: unit, vintage, source, licence, coverage and checksum of each "
         "extract in <code>data/raw/</code>.</p>" + manifest),
    ]:
        (out / href).write_text(PAGE.format(title=heading, nav=navigation(pages, href), body=body), encoding="utf-8")
    return out / "index.html"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=paths.BOOK, help="folder of the book")
    try:
        index = build(parser.parse_args(argv).out)
    except FileExistsError as error:
        raise SystemExit(str(error)) from None
    print(f"book written: {index}")


if __name__ == "__main__":
    main()
