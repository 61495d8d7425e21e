"""The social game: teams (contrade), friends, the activity feed and leaderboards."""
