"""nnstep's terminal UI (Textual) and command line: displays engine records, sends requests; owns
no maths.

The command runs numpy's BLAS on one thread unless the environment says otherwise: results are
then bit-identical from run to run (a matrix product split across threads may round
differently), and small networks run faster without thread start-up costs. This must happen
before numpy is first imported, which is why it is here.
"""

import os

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")
