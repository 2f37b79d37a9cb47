"""好差评's write services (keyword-only, `now=` passed in, atomic). Views, the API, the import and the demo
call these and nothing else writes the ratings tables."""
