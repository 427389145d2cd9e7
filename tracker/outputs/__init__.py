"""What leaves the tracker, all drawn from one snapshot: ``tables`` and ``cards`` for pages, ``charts`` and
``maps`` (plotly, offline), the briefing's ``slides`` (defined once) and the ``deck`` that writes them as .pptx/.pdf,
the written ``summary`` (情况汇报), ``exports`` (.xlsx), and ``text``, which makes stored text inert as Markdown or
HTML wherever it is drawn. A new page element, file or report goes here."""
