"""lisplan — planning and follow-up of the specialist training of doctors."""
