"""The ``formcheck`` command line (``main``), its parser and sub-commands, and the clinic
server launcher."""
