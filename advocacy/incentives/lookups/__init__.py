"""What incentives reads of other domains' tables: people, teams and campaigns named by public id."""
