# hxe: make demo | make test | make build | make bench
SHELL := /bin/bash
NODE_MODULES := node_modules/.package-lock.json

.PHONY: all build test demo bench lint typecheck schema schema-check clean

all: build

$(NODE_MODULES): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $(NODE_MODULES)

build: $(NODE_MODULES)
	node scripts/build.mjs

typecheck: $(NODE_MODULES)
	npx tsc -p tsconfig.check.json

lint: $(NODE_MODULES)
	npx eslint .

schema: $(NODE_MODULES)
	npx tsx scripts/gen-schema.ts

schema-check: $(NODE_MODULES)
	npx tsx scripts/gen-schema.ts --check

test: build typecheck lint schema-check
	npx vitest run

demo: build
	bash examples/demo.sh

bench: build
	node bench/run.mjs
	node bench/fleet.mjs

clean:
	rm -rf dist coverage
