"""nnstep's terminal UI (Textual): displays engine records, sends requests; owns no maths."""
