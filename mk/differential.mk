# The differential test's long mode: 10,000 random exports in each loket-sim mode (about 20
# minutes on a 2-CPU machine). `make test` runs 200 seeds per mode through tests/e2e/differential.sh.
.PHONY: differential differential-long
DIFF_SEEDS ?= 1-200
differential: all
	@for m in normal minimal; do /usr/bin/python3 tests/differential/run.py --build $(BUILD) --seeds $(DIFF_SEEDS) --mode $$m || exit 1; done
differential-long: all
	@for m in normal minimal; do /usr/bin/python3 tests/differential/run.py --build $(BUILD) --seeds 1-10000 --mode $$m || exit 1; done
