/// The CRM domain: commands, events and invariants (issue 3).
