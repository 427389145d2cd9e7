"""Deployment: several Streamlit processes of the app behind nginx (``make serve N=2``).

Not part of the core (``tracker`` never imports this) nor of the installed package: like ``app.py`` it runs from the
checkout. ``serve`` renders ``nginx.conf.template`` and starts the processes and nginx; docs/deploy.md says how an
office runs it.
"""
