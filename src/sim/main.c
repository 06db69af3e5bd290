/*
 * main.c: loket-sim entry point (placeholder until the simulator lands).
 */
#include <stdio.h>

int main(void)
{
    fprintf(stderr, "loket-sim: not built yet\n");
    return 4;
}
