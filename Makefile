# The two commands README.md opens with; the scripts do all the set-up themselves.
.PHONY: run test
run:
	./scripts/run
test:
	./scripts/test
