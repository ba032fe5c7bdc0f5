"""1177 user profile stand-in: GetUserProfile 2.0 and GetSubjectOfCare 2.0."""
