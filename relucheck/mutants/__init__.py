"""Planted defects: deliberate bugs the harness must catch (``make mutants``).

``catalog`` holds the mutants as data, ``apply`` applies one to a private copy of the
package, ``subset`` runs ``relucheck verify`` on chosen instances, ``run`` drives them all
and writes the table (``python -m relucheck.mutants``).
"""
