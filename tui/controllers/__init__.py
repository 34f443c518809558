"""The app's controllers: each turns one group of keys into session requests and owns the state
of that group, talking to the app only through ``Host`` (host.py).

- ``Navigation`` (navigation.py): moving the cursor, long runs in slices, cancel, go to.
- ``Edits`` (edits.py): weight, α, input and target edits, undo.
- ``Breakpoints`` (breakpoints.py): the conditions, continue and reverse-continue.
- ``Selection`` (selection.py): which weight is selected (tab, |δw| ranks, the drill-in).
- ``Inspection`` (inspection.py): the findings and sign-table rows of a record, the sign-table
  filter, the gradient check.
- Sessions (saving and restoring breakpoints, edits and the cursor between runs) get their own
  controller here, built like the others in ``NnstepApp.__init__``.
"""
