"""The standing security suite (issue 9): the permission matrix of every role and token kind against every
page and endpoint, the bad-input catalogue, and the crafted-upload corpus. New capabilities join it: a URL
that is not classified in the matrix fails the suite. How to run it: docs/security.md."""
