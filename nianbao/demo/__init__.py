"""The embedded demo: the seed report (绥芬河市 2020) split across its four units."""
