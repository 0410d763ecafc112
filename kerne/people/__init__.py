"""People who sign in: local sign-in, single sign-on, passwords, logins and the units leaders follow."""
