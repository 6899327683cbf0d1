# Sourced by the scripts: Open MPI settings for this kind of machine.
# Root needs the two ALLOW variables; --oversubscribe lets a 2-core
# machine run 3 ranks; one OpenBLAS thread per rank (ranks are the
# parallelism).
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OPENBLAS_NUM_THREADS=1
# One machine: ranks talk over shared memory; the launcher over loopback.
export OMPI_MCA_btl=self,vader
export OMPI_MCA_oob_tcp_if_include=lo
MPIRUN=(mpirun --oversubscribe)
