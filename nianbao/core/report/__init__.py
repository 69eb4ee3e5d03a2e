"""The consolidated report draft as plain data, built from a cycle's figures.

Pure: no Word, no files (``nianbao.io.docx`` renders it). One module per job:

- ``types``: the draft's model (``Report``, sections, paragraphs, sentences, tables, figures);
- ``data``: what the draft is built from (``ReportData``, from a cycle or the database);
- ``formatting``: how figures and dates are written; ``wording``: fixed wording, placeholders
  and official labels; ``headings``: heading numbers; ``tables``: the statistical tables;
- ``figures`` and ``sentence``: reading figures and writing sentences that state them;
- the sentences by section: ``proactive`` (一（一）), ``applications`` (一（二）),
  ``unit_texts`` (五 and 六), ``notice`` (the incomplete-data notice);
- ``build``: the outline of the report and the entry points ``build_report`` /
  ``build_report_from``.

Every figure the draft states keeps the references of the cells it comes from (``Figure``)
and, in a sentence, the place where it is written (``Slot``), so ``nianbao.core.draft_check``
can compare an edited draft against the database.
"""
