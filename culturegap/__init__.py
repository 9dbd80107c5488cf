"""culturegap: one customer-communication language for sales and every customer-contact team."""

import os

# The statistics behind the dashboard are small matrices: one BLAS thread per process is faster
# than a pool that competes with the web workers for the same cores. Set before numpy loads.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")
