"""The one error type the domain raises, and the exit codes of the command line."""

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_BAD_INPUT = 2
EXIT_LEDGER = 3


class FlowpartyError(Exception):
    """A user-facing failure: a Chinese message, an optional hint, and the exit code it ends with."""

    def __init__(self, message: str, hint: str | None = None, code: int = EXIT_BAD_INPUT):
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.code = code


class BadInput(FlowpartyError):
    """Bad input or usage: exit 2, nothing written."""


class LedgerError(FlowpartyError):
    """The ledger is missing, locked, damaged or too new: exit 3."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message, hint, EXIT_LEDGER)
