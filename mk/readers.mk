# Readers (CSV, XLSX): the benchmark program that `make bench` runs through
# scripts/bench-readers.sh. Its inputs are generated at bench time into build-bench/.
BENCH_READERS = $(BUILD)/bench_readers

$(BENCH_READERS): bench/bench_readers.c $(LIBLK)
	$(CC) $(XCFLAGS) $(CFLAGS) -o $@ $< $(LIBLK) $(XLDLIBS)

bench: $(BENCH_READERS)
