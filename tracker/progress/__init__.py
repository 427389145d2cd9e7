"""Where each target stands at an as-of month: the progress engine (``engine``: pure functions over plain frames,
tested without a database), the ``snapshot`` every page and output reads, reporting ``completeness``, data
``quality``, the ``redlist`` of lagging items, and the ``cache`` that keeps snapshots and what views read of
them within a memory budget. A new way of judging a figure goes in the engine; a new view of
the judged figures goes in outputs."""
