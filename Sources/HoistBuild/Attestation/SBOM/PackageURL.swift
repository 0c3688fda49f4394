enum PackageURL {}  // TEMPORARY stub until the sbom-readers branch is merged
