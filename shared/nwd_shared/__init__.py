"""No Wrong Door shared package: event contracts and service plumbing, no business rules."""
