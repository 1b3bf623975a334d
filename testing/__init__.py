"""What the tests share: factories per app (testing.contacts, testing.onboarding, ...), a reader
of admin forms, the plain-HTTP login and the real processes of the fault tests.

Each module imports only the app it is named after and those below it, so that an
app's tests reach no app above or beside it (the import contract in pyproject.toml
covers tests too). Nothing is imported here: importing one module never loads another app.
"""
