"""Everything that renders for people: text tables, HTML sections, charts, summary
sentences and the workbook. Imports :mod:`finmodel.model` and :mod:`finmodel.analysis`.
"""
