"""After the show: attendance, results reports, follow-up requests, the agency's outcome
figures, and the past results that later selections may score."""
