# make soak: the compressed month of the drop folder (tests/e2e/watch_month.sh) at length, in
# both simulator modes: MONTH_FILES versions dropped (default 60) through outages of the API and
# of /token, a late-completing token hang, SIGTERM and kill -9. make test runs the short month.
MONTH_FILES ?= 60
.PHONY: soak
soak: all
	MONTH_FILES=$(MONTH_FILES) LOKET_BUILD=$(BUILD) sh tests/e2e/watch_month.sh
	MONTH_FILES=$(MONTH_FILES) LOKET_BUILD=$(BUILD) LOKET_SIM_MODE=minimal sh tests/e2e/watch_month.sh
