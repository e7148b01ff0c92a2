import Storage

// Everything MemoryStorage offers beyond the required primitives, in one list.
extension MemoryStorage: ExplicitDirectories {}
extension MemoryStorage: RandomAccessWriting {}
extension MemoryStorage: ServerSideMoving {}
extension MemoryStorage: ServerSideCopying {}
extension MemoryStorage: Symlinking {}
extension MemoryStorage: HardLinking {}
extension MemoryStorage: AttributeSetting {}
extension MemoryStorage: SpaceReporting {}
