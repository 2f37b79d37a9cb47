# The two set-up commands of README.md, and a few habits.
.PHONY: demo test lint format messages

demo:            ## run the demo county on http://127.0.0.1:8000 (SQLite, own venv)
	scripts/demo.sh

test:            ## install test needs and run every test on SQLite and on PostgreSQL
	scripts/test.sh

lint:            ## the lint CI runs too (scripts/lint.sh: ruff check; why not ruff format is written there)
	scripts/lint.sh

format:          ## apply ruff's safe fixes (imports, pyupgrade); the formatter is not used, see scripts/lint.sh
	scripts/lint.sh --fix

messages:        ## refresh and compile the English translation
	cd xiaoneng && ../.venv/bin/xiaoneng makemessages -l en --no-obsolete && ../.venv/bin/xiaoneng compilemessages -l en
