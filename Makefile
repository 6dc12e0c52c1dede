# The two commands README.md opens with; the scripts do all the set-up themselves.
.PHONY: run test bench build-TodoApiFunction
run:
	./scripts/run
test:
	./scripts/test
# Every speed figure (bench/run.py); not part of the test suite.
bench:
	./scripts/bench

# Called by `sam build` (template.yaml, BuildMethod: makefile) with ARTIFACTS_DIR set:
# the package and its locked dependencies, as wheels for Lambda's platform, compiled.
# EXTRAS=sentry (`sam build` passes the environment through) adds an optional extra.
build-TodoApiFunction:
	uv export --locked --no-dev --no-emit-project --extra lambda $(if $(EXTRAS),--extra $(EXTRAS)) \
		--format requirements-txt > "$(ARTIFACTS_DIR)/requirements.txt"
	uv pip install --target "$(ARTIFACTS_DIR)" --python-platform x86_64-manylinux_2_28 \
		--python-version 3.12 --only-binary :all: --compile-bytecode \
		-r "$(ARTIFACTS_DIR)/requirements.txt"
	uv pip install --target "$(ARTIFACTS_DIR)" --python-platform x86_64-manylinux_2_28 \
		--python-version 3.12 --no-deps --compile-bytecode .
	rm "$(ARTIFACTS_DIR)/requirements.txt"
