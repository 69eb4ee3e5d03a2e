"""The Word side of the report draft (the only package that uses python-docx).

``template`` makes the editable template and names its styles, ``render`` fills a copy of
it with a ``Report``, ``read`` extracts an edited draft's text for check-draft, and
``oxml`` holds every use of python-docx's XML internals (``_p``, ``_r``, ``oxml`` …) behind
small named functions, so an upgrade of python-docx is checked in one module.
"""
