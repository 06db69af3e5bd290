# Loket client: the HTTP engine benchmark that `make bench` runs through scripts/bench-client.sh
# (throughput against loket-sim at several concurrency levels).
BENCH_CLIENT = $(BUILD)/bench_client

$(BENCH_CLIENT): bench/bench_client.c $(TESTLIB_OBJS) $(LIBSIM) $(LIBLK)
	$(CC) $(XCFLAGS) $(CFLAGS) -o $@ $< $(TESTLIB_OBJS) $(LIBSIM) $(LIBLK) $(XLDLIBS) $(TEST_LIBS)

bench: $(BENCH_CLIENT)
