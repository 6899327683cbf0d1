#include <stdio.h>

#include "vaesweep/version.h"

int main(void)
{
    printf("vaesweep %s\n", VAESWEEP_VERSION);
    return 0;
}
