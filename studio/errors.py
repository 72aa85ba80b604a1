"""DataError: the one exception the data modules raise for a file or mapping a user gave."""


class DataError(ValueError):
    """A file or column mapping a user gave cannot be used.

    The message is one English sentence (what, where, what to do); `code` is a stable key and
    `params` holds every value the message uses, so the UI can translate it.
    """

    def __init__(self, code: str, message: str, **params):
        super().__init__(message)
        self.code = code
        self.params = params
