"""What comes in: a county return read from a workbook (``reader``), checked (``problems``, ``rules``, history
checks) and recorded as a submission in one transaction (``submissions``); the template it is filled in on, and the
same template as a grid entered on the page and written back into it (``entry``);
allocations of targets to prefectures and counties; status updates of the qualitative measures with their evidence.
A new check, a new return layout or a new way of entering figures goes here."""
