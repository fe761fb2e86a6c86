"""Recognition periods: each month's winners from the organisation board, their badges and notifications."""
