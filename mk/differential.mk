# The differential test (tests/differential/README.md) in both loket-sim modes. `make test` runs
# 200 seeds per mode through tests/e2e/differential.sh; `make differential DIFF_SEEDS=1-1000`
# runs others; the long mode runs 10,000 seeds per mode (about 45 minutes on a 2-CPU machine).
.PHONY: differential differential-long
DIFF_SEEDS ?= 1-200
differential: all
	@rc=0; for m in normal minimal; do /usr/bin/python3 tests/differential/run.py --build $(BUILD) --seeds $(DIFF_SEEDS) --mode $$m || rc=1; done; exit $$rc
differential-long: all
	@rc=0; for m in normal minimal; do /usr/bin/python3 tests/differential/run.py --build $(BUILD) --seeds 1-10000 --mode $$m || rc=1; done; exit $$rc
