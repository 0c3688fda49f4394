public enum HoistTestSupportPlaceholder {}
