"""Who may do what: roles and the actor every write is checked against (``roles``), local accounts and sign-in
attempts (``accounts``), signed session tokens and what a browser session acts as (``sessions``), and the
append-only audit trail every write is recorded in (``audit``). A new permission or a new way to sign in goes here."""
